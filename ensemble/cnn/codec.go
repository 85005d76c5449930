package cnn

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/rabcert/rab/internal/errs"
	"github.com/rabcert/rab/internal/wire"
)

// The serialised model, all integers little-endian:
//
//	magic    8 bytes "RABCNN\x00\x00"
//	version  uint16, formatVersion
//	shape    h, w, c uint32
//	kernel   k, padding uint32
//	filters  count uint32; filters uint32 × count
//	hidden   count uint32; widths uint32 × count
//	classes  uint32
//	params   float32 (IEEE 754 bits) × the layout's parameter count, in layout order
//
// Nothing follows the parameters.
const (
	magic         = "RABCNN\x00\x00"
	formatVersion = 1
)

// MarshalBinary returns the model's serialisation (see AppendBinary). Equal models give
// equal bytes.
func (m *Model) MarshalBinary() ([]byte, error) {
	return m.AppendBinary(make([]byte, 0, m.encodedLen()))
}

// AppendBinary appends the model's serialisation to b: the magic bytes "RABCNN\x00\x00",
// a format version (1), the architecture (image shape, kernel side, padding, filters,
// hidden widths, classes), then every parameter as a little-endian IEEE 754 float32.
func (m *Model) AppendBinary(b []byte) ([]byte, error) {
	n := m.net
	b = append(b, magic...)
	b = binary.LittleEndian.AppendUint16(b, formatVersion)
	u32 := func(v int) { b = binary.LittleEndian.AppendUint32(b, uint32(v)) }
	for _, v := range []int{n.h, n.w, n.c, n.kernel, n.padding, len(n.filters)} {
		u32(v)
	}
	for _, f := range n.filters {
		u32(f)
	}
	u32(len(n.hidden))
	for _, h := range n.hidden {
		u32(h)
	}
	u32(n.classes)
	for _, v := range n.params {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(v))
	}
	return b, nil
}

// encodedLen returns the length of the serialisation.
func (m *Model) encodedLen() int {
	return len(magic) + 2 + 4*(8+len(m.net.filters)+len(m.net.hidden)) + 4*len(m.net.params)
}

// Decode rebuilds a Model from the bytes MarshalBinary returned. Malformed bytes (wrong
// magic or version, an impossible architecture, a length that does not match the
// architecture, non-finite parameters, trailing bytes) give an error wrapping
// ensemble.ErrCorrupt. Decode does not keep data.
func Decode(data []byte) (*Model, error) {
	n, err := decode(data)
	if err != nil {
		return nil, errs.Corrupt("cnn: decoding a model (%d bytes): %w", len(data), err)
	}
	return newModel(n), nil
}

func decode(data []byte) (*network, error) {
	r := &wire.Reader{Data: data}
	if m := r.Next(len(magic)); m == nil || string(m) != magic {
		return nil, errors.New("not a cnn model: bad magic bytes")
	}
	v := r.Next(2)
	if v == nil {
		return nil, wire.ErrTruncated
	}
	if got := binary.LittleEndian.Uint16(v); got != formatVersion {
		return nil, fmt.Errorf("format version %d, this package reads version %d", got, formatVersion)
	}
	var a arch
	a.h, a.w, a.c = r.Count("image height", maxSide), r.Count("image width", maxSide), r.Count("image channels", maxUnits)
	a.kernel, a.padding = r.Count("kernel side", maxKernel), r.Count("padding", maxKernel)
	a.filters = r.List("filters", maxLayers, maxUnits)
	a.hidden = r.List("hidden width", maxLayers, maxUnits)
	a.classes = r.Count("classes", maxUnits)
	if r.Err != nil {
		return nil, r.Err
	}
	if a.classes < 2 {
		return nil, fmt.Errorf("%d classes: want at least 2", a.classes)
	}
	lay, err := a.layout()
	if err != nil {
		return nil, err
	}
	if len(r.Data) != 4*lay.params {
		return nil, fmt.Errorf("the architecture has %d parameters (%d bytes) but %d bytes follow the header", lay.params, 4*lay.params, len(r.Data))
	}
	n := &network{arch: a, lay: lay, params: make([]float32, lay.params)}
	for i := range n.params {
		v := math.Float32frombits(binary.LittleEndian.Uint32(r.Data[4*i:]))
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return nil, fmt.Errorf("parameter %d is %v", i, v)
		}
		n.params[i] = v
	}
	return n, nil
}

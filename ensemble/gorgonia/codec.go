package gorgonia

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
//	magic    8 bytes "RABGORG\x00"
//	version  uint16, formatVersion
//	type     uint8: 1 MLP, 2 CNN
//	MLP:     inputs uint32
//	CNN:     h, w, c uint32; blocks uint32; filters uint32 × blocks
//	hidden   count uint32; widths uint32 × count
//	classes  uint32
//	params   float64 (IEEE 754 bits) × Σ size(paramShapes), in paramShapes order
//
// Nothing follows the parameters.
const (
	magic         = "RABGORG\x00"
	formatVersion = 1
	typeMLP       = 1
	typeCNN       = 2
)

// encode serialises a network.
func (n *network) encode() []byte {
	buf := make([]byte, 0, 64+8*n.paramCount())
	buf = append(buf, magic...)
	buf = binary.LittleEndian.AppendUint16(buf, formatVersion)
	u32 := func(v int) { buf = binary.LittleEndian.AppendUint32(buf, uint32(v)) }
	if n.cnn {
		buf = append(buf, typeCNN)
		u32(n.h)
		u32(n.w)
		u32(n.c)
		u32(len(n.filters))
		for _, f := range n.filters {
			u32(f)
		}
	} else {
		buf = append(buf, typeMLP)
		u32(n.inputs)
	}
	u32(len(n.hidden))
	for _, h := range n.hidden {
		u32(h)
	}
	u32(n.classes)
	for _, p := range n.params {
		for _, v := range p {
			buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(v))
		}
	}
	return buf
}

// paramCount returns the total number of parameters.
func (a *arch) paramCount() int {
	total := 0
	for _, s := range a.paramShapes() {
		total += size(s)
	}
	return total
}

// decode parses bytes written by encode, rejecting anything malformed.
func decode(data []byte) (*network, error) {
	n, err := decodeNetwork(data)
	if err != nil {
		return nil, errs.Corrupt("gorgonia: decoding model (%d bytes): %w", len(data), err)
	}
	return n, nil
}

func decodeNetwork(data []byte) (*network, error) {
	r := &wire.Reader{Data: data}
	if m := r.Next(len(magic)); m == nil || string(m) != magic {
		return nil, errors.New("not a gorgonia model: bad magic bytes")
	}
	v := r.Next(2)
	if v == nil {
		return nil, wire.ErrTruncated
	}
	if got := binary.LittleEndian.Uint16(v); got != formatVersion {
		return nil, fmt.Errorf("format version %d, this package reads version %d", got, formatVersion)
	}
	var a arch
	t := r.Next(1)
	switch {
	case t == nil:
		return nil, wire.ErrTruncated
	case t[0] == typeMLP:
		a.inputs = r.Count("input width", maxWidth)
	case t[0] == typeCNN:
		a.cnn = true
		a.h, a.w, a.c = r.Count("image height", maxWidth), r.Count("image width", maxWidth), r.Count("image channels", maxWidth)
		a.filters = r.List("filters", maxLayers, maxWidth)
	default:
		return nil, fmt.Errorf("unknown architecture type %d", t[0])
	}
	a.hidden = r.List("hidden width", maxLayers, maxWidth)
	a.classes = r.Count("classes", maxWidth)
	if r.Err != nil {
		return nil, r.Err
	}
	if a.cnn {
		a.inputs = a.h * a.w * a.c
	}
	if err := a.validate(); err != nil {
		return nil, err
	}
	if a.inputs < 1 || a.classes < 2 {
		return nil, fmt.Errorf("input width %d and %d classes: need at least 1 input and 2 classes", a.inputs, a.classes)
	}
	want := a.paramCount()
	if len(r.Data) != 8*want {
		return nil, fmt.Errorf("architecture has %d parameters (%d bytes) but %d bytes follow the header", want, 8*want, len(r.Data))
	}
	n := &network{arch: a}
	for _, s := range a.paramShapes() {
		p := make([]float64, size(s))
		for i := range p {
			p[i] = math.Float64frombits(binary.LittleEndian.Uint64(r.Data[8*i:]))
			if math.IsNaN(p[i]) || math.IsInf(p[i], 0) {
				return nil, fmt.Errorf("parameter tensor %d value %d is %v", len(n.params), i, p[i])
			}
		}
		r.Data = r.Data[8*len(p):]
		n.params = append(n.params, p)
	}
	return n, nil
}

package onnx

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"google.golang.org/protobuf/encoding/protowire"
)

// This file reads the parts of an ONNX ModelProto (onnx/onnx.proto, field numbers
// below) that the load-time checks need. onnx-go keeps its generated protobuf types in
// an internal package, so the few messages involved are decoded here from the wire
// format; every other field is skipped.

// modelInfo is the subset of ModelProto the checks read.
type modelInfo struct {
	opsets map[string]int64 // opset_import: domain → version
	graph  *graphInfo
}

// graphInfo is the subset of GraphProto the checks read.
type graphInfo struct {
	nodes           []nodeInfo
	inits           map[string]tensorInfo // initializer by name
	inputs, outputs []valueInfo
	valueInfos      []valueInfo
	sparseInits     int
}

// nodeInfo is a NodeProto.
type nodeInfo struct {
	name, opType, domain string
	inputs, outputs      []string
	attrs                map[string]attrInfo
}

// attrInfo is an AttributeProto holding an int, a float, a string or a list of ints;
// other attribute types are recorded as present but not decoded.
type attrInfo struct {
	i    int64
	f    float32
	s    string
	ints []int64
}

// valueInfo is a ValueInfoProto holding a tensor type.
type valueInfo struct {
	name     string
	elemType int64
	hasShape bool
	dims     []dimInfo
}

// dimInfo is a TensorShapeProto.Dimension: a fixed size or a symbolic one.
type dimInfo struct {
	value int64
	fixed bool
}

// tensorInfo is a TensorProto: its shape, element type, number of stored elements
// (float32 and int64 tensors only) and, for int64 tensors, values.
type tensorInfo struct {
	dims     []int64
	dataType int64
	stored   int
	int64s   []int64
	external bool
}

// ONNX TensorProto.DataType values used by the checks.
const (
	dataTypeFloat = 1
	dataTypeInt64 = 7
)

var errTruncated = errors.New("truncated or malformed protobuf")

// fieldFunc receives one field of a message: its number, its wire type, and either the
// payload of a length-delimited field or the value of a varint or fixed-size one.
type fieldFunc func(num protowire.Number, typ protowire.Type, payload []byte, value uint64) error

// walk calls f for every field of the message b.
func walk(b []byte, f fieldFunc) error {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return errTruncated
		}
		b = b[n:]
		var (
			payload []byte
			value   uint64
		)
		switch typ {
		case protowire.VarintType:
			value, n = protowire.ConsumeVarint(b)
		case protowire.Fixed32Type:
			var v32 uint32
			v32, n = protowire.ConsumeFixed32(b)
			value = uint64(v32)
		case protowire.Fixed64Type:
			value, n = protowire.ConsumeFixed64(b)
		case protowire.BytesType:
			payload, n = protowire.ConsumeBytes(b)
		default:
			n = protowire.ConsumeFieldValue(num, typ, b)
		}
		if n < 0 {
			return errTruncated
		}
		b = b[n:]
		if err := f(num, typ, payload, value); err != nil {
			return err
		}
	}
	return nil
}

// wantBytes reports an error unless a field expected to be length-delimited is.
func wantBytes(typ protowire.Type, what string) error {
	if typ != protowire.BytesType {
		return fmt.Errorf("%s has wire type %d, want length-delimited", what, typ)
	}
	return nil
}

// appendInt64s appends a repeated int64 field, packed or not.
func appendInt64s(dst []int64, typ protowire.Type, payload []byte, value uint64) ([]int64, error) {
	if typ == protowire.VarintType {
		return append(dst, int64(value)), nil
	}
	if typ != protowire.BytesType {
		return dst, errTruncated
	}
	for len(payload) > 0 {
		v, n := protowire.ConsumeVarint(payload)
		if n < 0 {
			return dst, errTruncated
		}
		dst = append(dst, int64(v))
		payload = payload[n:]
	}
	return dst, nil
}

// parseModel decodes the ModelProto fields the checks need.
func parseModel(b []byte) (*modelInfo, error) {
	m := &modelInfo{opsets: map[string]int64{}}
	err := walk(b, func(num protowire.Number, typ protowire.Type, v []byte, _ uint64) error {
		switch num {
		case 7: // graph
			if err := wantBytes(typ, "ModelProto.graph"); err != nil {
				return err
			}
			g, err := parseGraph(v)
			m.graph = g
			return err
		case 8: // opset_import
			if err := wantBytes(typ, "ModelProto.opset_import"); err != nil {
				return err
			}
			return parseOpset(v, m.opsets)
		}
		return nil
	})
	return m, err
}

// parseOpset decodes an OperatorSetIdProto into opsets.
func parseOpset(b []byte, opsets map[string]int64) error {
	var domain string
	var version int64
	err := walk(b, func(num protowire.Number, typ protowire.Type, v []byte, x uint64) error {
		switch num {
		case 1:
			domain = string(v)
		case 2:
			version = int64(x)
		}
		return nil
	})
	opsets[domain] = version
	return err
}

// parseGraph decodes a GraphProto.
func parseGraph(b []byte) (*graphInfo, error) {
	g := &graphInfo{inits: map[string]tensorInfo{}}
	err := walk(b, func(num protowire.Number, typ protowire.Type, v []byte, _ uint64) error {
		switch num {
		case 1, 5, 11, 12, 13, 15:
			if err := wantBytes(typ, "GraphProto field"); err != nil {
				return err
			}
		default:
			return nil
		}
		switch num {
		case 1: // node
			n, err := parseNode(v)
			g.nodes = append(g.nodes, n)
			return err
		case 5: // initializer
			name, t, err := parseTensor(v)
			g.inits[name] = t
			return err
		case 11, 12, 13: // input, output, value_info
			vi, err := parseValueInfo(v)
			switch num {
			case 11:
				g.inputs = append(g.inputs, vi)
			case 12:
				g.outputs = append(g.outputs, vi)
			default:
				g.valueInfos = append(g.valueInfos, vi)
			}
			return err
		default: // 15: sparse_initializer
			g.sparseInits++
			return nil
		}
	})
	return g, err
}

// parseNode decodes a NodeProto.
func parseNode(b []byte) (nodeInfo, error) {
	n := nodeInfo{attrs: map[string]attrInfo{}}
	err := walk(b, func(num protowire.Number, typ protowire.Type, v []byte, _ uint64) error {
		switch num {
		case 1:
			n.inputs = append(n.inputs, string(v))
		case 2:
			n.outputs = append(n.outputs, string(v))
		case 3:
			n.name = string(v)
		case 4:
			n.opType = string(v)
		case 7:
			n.domain = string(v)
		case 5:
			if err := wantBytes(typ, "NodeProto.attribute"); err != nil {
				return err
			}
			name, a, err := parseAttr(v)
			n.attrs[name] = a
			return err
		}
		return nil
	})
	return n, err
}

// parseAttr decodes an AttributeProto.
func parseAttr(b []byte) (string, attrInfo, error) {
	var name string
	var a attrInfo
	err := walk(b, func(num protowire.Number, typ protowire.Type, v []byte, x uint64) error {
		var err error
		switch num {
		case 1:
			name = string(v)
		case 2:
			a.f = math.Float32frombits(uint32(x))
		case 3:
			a.i = int64(x)
		case 4:
			a.s = string(v)
		case 8:
			a.ints, err = appendInt64s(a.ints, typ, v, x)
		}
		return err
	})
	return name, a, err
}

// parseValueInfo decodes a ValueInfoProto and its TypeProto.Tensor.
func parseValueInfo(b []byte) (valueInfo, error) {
	var vi valueInfo
	err := walk(b, func(num protowire.Number, typ protowire.Type, v []byte, _ uint64) error {
		switch num {
		case 1:
			vi.name = string(v)
		case 2: // type: TypeProto
			return walk(v, func(num protowire.Number, _ protowire.Type, v []byte, _ uint64) error {
				if num != 1 { // tensor_type: TypeProto.Tensor
					return nil
				}
				return walk(v, func(num protowire.Number, _ protowire.Type, v []byte, x uint64) error {
					switch num {
					case 1:
						vi.elemType = int64(x)
					case 2:
						vi.hasShape = true
						return parseShape(v, &vi.dims)
					}
					return nil
				})
			})
		}
		return nil
	})
	return vi, err
}

// parseShape decodes a TensorShapeProto.
func parseShape(b []byte, dims *[]dimInfo) error {
	return walk(b, func(num protowire.Number, _ protowire.Type, v []byte, _ uint64) error {
		if num != 1 {
			return nil
		}
		var d dimInfo
		err := walk(v, func(num protowire.Number, _ protowire.Type, _ []byte, x uint64) error {
			if num == 1 {
				d = dimInfo{value: int64(x), fixed: true}
			}
			return nil
		})
		*dims = append(*dims, d)
		return err
	})
}

// parseTensor decodes a TensorProto: name, dims, data type and int64 values.
func parseTensor(b []byte) (string, tensorInfo, error) {
	var name string
	var t tensorInfo
	var raw []byte
	err := walk(b, func(num protowire.Number, typ protowire.Type, v []byte, x uint64) error {
		var err error
		switch num {
		case 1:
			t.dims, err = appendInt64s(t.dims, typ, v, x)
		case 2:
			t.dataType = int64(x)
		case 4: // float_data, packed or not
			if typ == protowire.Fixed32Type {
				t.stored++
			} else {
				t.stored += len(v) / 4
			}
		case 7:
			t.int64s, err = appendInt64s(t.int64s, typ, v, x)
		case 8:
			name = string(v)
		case 9:
			raw = v
		case 13, 14: // external_data, data_location
			t.external = t.external || num == 13 || x == 1
		}
		return err
	})
	switch t.dataType {
	case dataTypeFloat:
		t.stored += len(raw) / 4
	case dataTypeInt64:
		for ; len(raw) >= 8; raw = raw[8:] {
			t.int64s = append(t.int64s, int64(binary.LittleEndian.Uint64(raw)))
		}
		t.stored = len(t.int64s)
	}
	return name, t, err
}

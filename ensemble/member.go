package ensemble

import (
	"crypto/sha256"
	"encoding"
	"fmt"
	"reflect"
	"sync"

	"github.com/rabcert/rab/smoothing"
)

// member is one trained model h_k with its test-time noise u_k.
type member struct {
	mu     sync.Mutex // held while model predicts
	model  Model
	kind   string            // Kind() if the model is Kinded, else ""
	size   int               // length of the model's MarshalBinary bytes
	digest [sha256.Size]byte // their SHA-256
	seed   uint64            // smoothing.SeedFromModel of those bytes: the seed of u_k
	noise  []float64         // u_k, length d once the dimension is known
}

// newMember returns the member of a model whose bytes are data.
func newMember(model Model, data []byte) *member {
	m := &member{model: model, size: len(data), digest: sha256.Sum256(data), seed: smoothing.SeedFromModel(data)}
	if k, ok := model.(Kinded); ok {
		m.kind = k.Kind()
	}
	return m
}

// marshal returns model's bytes: AppendBinary(buf[:0]) if the model implements
// encoding.BinaryAppender, so that a reused buffer spares an allocation per member,
// else MarshalBinary. A panic is returned as an error.
func marshal(model Model, buf []byte) (data []byte, err error) {
	defer recoverPanic(&err)
	if a, ok := model.(encoding.BinaryAppender); ok {
		data, err = a.AppendBinary(buf[:0])
	} else {
		data, err = model.MarshalBinary()
	}
	if err != nil {
		return nil, fmt.Errorf("MarshalBinary: %w", err)
	}
	return data, nil
}

// drawNoise draws the member's test-time noise u_k ~ noise^d from
// smoothing.Stream(seed_k, 0), coordinate by coordinate (Algorithm 1, line 5).
func (m *member) drawNoise(noise smoothing.Noise, u []float64) {
	rng := smoothing.Stream(m.seed, 0)
	for j := range u {
		u[j] = noise.Sample(rng)
	}
	m.noise = u
}

// modelDim returns the InputDim of a Dimensioned model, or 0.
func modelDim(model Model) int {
	if dm, ok := model.(Dimensioned); ok {
		return dm.InputDim()
	}
	return 0
}

// decodeMember decodes data, the bytes of a model of the given kind whose SHA-256 is
// digest, with the kind's decoder, and checks that the decoded model is of that kind
// and marshals back to the same bytes. buf is scratch for that marshal (the decoder may
// not keep data, so buf may be data's array); decodeMember returns it for reuse. Its
// errors carry no sentinel: to Load they mean a corrupt file, to Train a faulty learner.
func decodeMember(decode Decoder, kind string, data []byte, digest [sha256.Size]byte, buf []byte) (model Model, _ []byte, err error) {
	defer recoverPanic(&err)
	if model, err = decode(data); err != nil {
		return nil, buf, fmt.Errorf("decoding kind %q: %w", kind, err)
	}
	if model == nil {
		return nil, buf, fmt.Errorf("decoder for kind %q returned a nil Model", kind)
	}
	back, err := marshal(model, buf)
	if err != nil {
		return nil, buf, fmt.Errorf("the decoded %q model: %w", kind, err)
	}
	if sha256.Sum256(back) != digest {
		return nil, back, fmt.Errorf("the decoded %q model does not marshal back to the same bytes", kind)
	}
	if k, _ := model.(Kinded); k == nil || k.Kind() != kind {
		return nil, back, fmt.Errorf("decoder for kind %q returned a model of another kind (%T)", kind, model)
	}
	return model, back, nil
}

// identity returns a key that is equal for two models iff they are the same object,
// for models that are pointers (or maps or channels) to something of non-zero size; ok
// is false for other models, whose identity cannot be told from their value.
func identity(model Model) (key any, ok bool) {
	v := reflect.ValueOf(model)
	switch v.Kind() {
	case reflect.Pointer:
		if v.Type().Elem().Size() == 0 { // distinct zero-size objects may share an address
			return nil, false
		}
	case reflect.Map, reflect.Chan:
	default:
		return nil, false
	}
	type object struct {
		t reflect.Type
		p uintptr
	}
	return object{v.Type(), v.Pointer()}, true
}

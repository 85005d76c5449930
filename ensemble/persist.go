package ensemble

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/rabcert/rab/smoothing"
)

// File format, version 1. All integers are little-endian.
//
//	magic    "RABENSMB"                      8 bytes
//	version  uint32 = 1                      4 bytes
//	length   uint32                          4 bytes: length L of the manifest
//	manifest JSON                            L bytes (the manifest type below)
//	digest   SHA-256 of the manifest         32 bytes
//	models   member 0's bytes, member 1's, … sizes and SHA-256 in the manifest
//
// The members' bytes are their MarshalBinary output, decoded by the Decoder registered
// for their kind. The test-time noise u_k is not stored: it is redrawn from the bytes.
const (
	fileMagic   = "RABENSMB"
	fileVersion = 1
	headerSize  = len(fileMagic) + 4 + 4
	maxDim      = 1 << 24 // largest input dimension Load accepts
)

// manifest describes a saved Ensemble.
type manifest struct {
	Noise     noiseSpec      `json:"noise"`
	Seed      uint64         `json:"seed"`
	Classes   int            `json:"classes"`
	Models    int            `json:"models"`
	Dim       int            `json:"dim"`
	TestNoise *bool          `json:"testNoise"` // required: a missing field must not silently turn test noise off
	Members   []memberRecord `json:"members"`
}

type noiseSpec struct {
	Kind  string  `json:"kind"` // "gaussian" or "uniform"
	Sigma float64 `json:"sigma,omitempty"`
	A     float64 `json:"a,omitempty"`
	B     float64 `json:"b,omitempty"`
}

type memberRecord struct {
	Kind   string `json:"kind"`
	Size   int    `json:"size"`
	SHA256 string `json:"sha256"`
}

// Save writes e to w in one stream: a versioned manifest (format version, noise kind
// with σ or [a, b], seed, classes C, N, input dimension, whether members vote with
// test-time noise, and each member's kind, size and SHA-256) protected by its own
// SHA-256, followed by the members' MarshalBinary bytes. The hashes detect corruption
// and truncation; they are not a signature: whoever can write the file can change σ or
// the members, so keep saved ensembles where only you can write them. Saving a
// WithoutTestNoise view saves that choice. Every member must implement
// Kinded, and its bytes must not have changed since the Ensemble was built.
func (e *Ensemble) Save(w io.Writer) error {
	man, err := e.manifest()
	if err != nil {
		return err
	}
	js, err := json.Marshal(man)
	if err != nil {
		return fmt.Errorf("ensemble: Save: %w", err)
	}
	if uint64(len(js)) > 1<<32-1 {
		return fmt.Errorf("ensemble: Save: manifest of %d bytes exceeds the format's 4 GiB", len(js))
	}
	header := make([]byte, 0, headerSize)
	header = append(header, fileMagic...)
	header = binary.LittleEndian.AppendUint32(header, fileVersion)
	header = binary.LittleEndian.AppendUint32(header, uint32(len(js)))
	digest := sha256.Sum256(js)
	for _, part := range [][]byte{header, js, digest[:]} {
		if _, err := w.Write(part); err != nil {
			return fmt.Errorf("ensemble: Save: %w", err)
		}
	}
	for k, m := range e.s.members {
		m.mu.Lock()
		data, err := m.model.MarshalBinary()
		m.mu.Unlock()
		if err != nil {
			return fmt.Errorf("ensemble: Save: member %d: MarshalBinary: %w", k, err)
		}
		if sha256.Sum256(data) != m.digest {
			return fmt.Errorf("ensemble: Save: member %d: its bytes changed since the ensemble was built (its test-time noise depends on them)", k)
		}
		if _, err := w.Write(data); err != nil {
			return fmt.Errorf("ensemble: Save: member %d: %w", k, err)
		}
	}
	return nil
}

// manifest describes e for Save.
func (e *Ensemble) manifest() (manifest, error) {
	man := manifest{
		Seed: e.s.seed, Classes: e.s.classes, Models: e.Len(), Dim: e.Dim(), TestNoise: &e.testNoise,
		Members: make([]memberRecord, e.Len()),
	}
	switch n := e.s.noise; n.Kind() {
	case smoothing.KindGaussian:
		man.Noise = noiseSpec{Kind: n.Kind().String(), Sigma: n.Sigma()}
	case smoothing.KindUniform:
		a, b := n.Bounds()
		man.Noise = noiseSpec{Kind: n.Kind().String(), A: a, B: b}
	}
	for k, m := range e.s.members {
		if m.kind == "" {
			return man, fmt.Errorf("ensemble: Save: member %d (%T) does not implement ensemble.Kinded: cannot be saved", k, m.model)
		}
		man.Members[k] = memberRecord{Kind: m.kind, Size: m.size, SHA256: hex.EncodeToString(m.digest[:])}
	}
	return man, nil
}

// Load reads an Ensemble written by Save. It verifies the manifest's and every member's
// SHA-256, decodes each member with the Decoder registered for its kind (import the
// package that defines the models, e.g. ensemble/logistic), checks that the decoded
// model marshals back to the saved bytes, and redraws every u_k. Load reads exactly the
// saved bytes from r. A truncated or corrupt stream, another format version, or an
// unknown kind is an error; memory use is bounded by the bytes actually read.
func Load(r io.Reader) (*Ensemble, error) {
	man, err := readManifest(r)
	if err != nil {
		return nil, fmt.Errorf("ensemble: Load: %w", err)
	}
	noise, err := man.noise()
	if err != nil {
		return nil, fmt.Errorf("ensemble: Load: manifest: %w", err)
	}
	members := make([]*member, man.Models)
	for k, rec := range man.Members {
		if members[k], err = readMember(r, rec); err != nil {
			return nil, fmt.Errorf("ensemble: Load: member %d: %w", k, err)
		}
	}
	s, err := newShared(members, noise, man.Classes, man.Seed, man.Dim)
	if err != nil {
		return nil, fmt.Errorf("ensemble: Load: %w", err)
	}
	return &Ensemble{s: s, testNoise: *man.TestNoise}, nil
}

// readManifest reads and checks the header, the manifest and its digest.
func readManifest(r io.Reader) (manifest, error) {
	var man manifest
	header := make([]byte, headerSize)
	if _, err := io.ReadFull(r, header); err != nil {
		return man, fmt.Errorf("reading header: %w", truncated(err))
	}
	if string(header[:len(fileMagic)]) != fileMagic {
		return man, fmt.Errorf("not a rab ensemble (magic %q, want %q)", header[:len(fileMagic)], fileMagic)
	}
	if v := binary.LittleEndian.Uint32(header[len(fileMagic):]); v != fileVersion {
		return man, fmt.Errorf("file format version %d: this build reads version %d", v, fileVersion)
	}
	n := int64(binary.LittleEndian.Uint32(header[len(fileMagic)+4:]))
	js, err := readN(r, n+sha256.Size)
	if err != nil {
		return man, fmt.Errorf("reading manifest: %w", err)
	}
	js, digest := js[:n], js[n:]
	if sum := sha256.Sum256(js); !bytes.Equal(sum[:], digest) {
		return man, errors.New("manifest SHA-256 mismatch: the file is corrupt")
	}
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&man); err != nil {
		return man, fmt.Errorf("manifest: %w", err)
	}
	return man, man.check()
}

// check validates the manifest's counts.
func (man *manifest) check() error {
	switch {
	case man.Models < 1 || man.Models > MaxModels || man.Models != len(man.Members):
		return fmt.Errorf("manifest: %d models with %d member records: want at least 1, one record each", man.Models, len(man.Members))
	case man.Classes < 2:
		return fmt.Errorf("manifest: %d classes: want at least 2", man.Classes)
	case man.Dim < 0 || man.Dim > maxDim:
		return fmt.Errorf("manifest: input dimension %d outside [0, %d]", man.Dim, maxDim)
	case man.TestNoise == nil:
		return errors.New("manifest: no testNoise field: the file is corrupt or was not written by Ensemble.Save")
	}
	for k, rec := range man.Members {
		if rec.Kind == "" || rec.Size < 0 || len(rec.SHA256) != 2*sha256.Size {
			return fmt.Errorf("manifest: member %d: malformed record %+v", k, rec)
		}
	}
	return nil
}

// noise rebuilds the smoothing noise described by the manifest.
func (man *manifest) noise() (smoothing.Noise, error) {
	switch man.Noise.Kind {
	case smoothing.KindGaussian.String():
		return smoothing.Gaussian(man.Noise.Sigma)
	case smoothing.KindUniform.String():
		return smoothing.Uniform(man.Noise.A, man.Noise.B)
	}
	return smoothing.Noise{}, fmt.Errorf("unknown noise kind %q", man.Noise.Kind)
}

// readMember reads, verifies and decodes one member.
func readMember(r io.Reader, rec memberRecord) (*member, error) {
	data, err := readN(r, int64(rec.Size))
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	if hex.EncodeToString(sum[:]) != rec.SHA256 {
		return nil, errors.New("SHA-256 mismatch: the file is corrupt")
	}
	decode, err := decoder(rec.Kind)
	if err != nil {
		return nil, err
	}
	model, err := decode(data)
	if err != nil {
		return nil, fmt.Errorf("decoding kind %q: %w", rec.Kind, err)
	}
	if model == nil {
		return nil, fmt.Errorf("decoder for kind %q returned a nil Model", rec.Kind)
	}
	m, err := newMember(model)
	if err != nil {
		return nil, err
	}
	if m.digest != sum {
		return nil, fmt.Errorf("the decoded %q model does not marshal back to the saved bytes", rec.Kind)
	}
	if m.kind != rec.Kind {
		return nil, fmt.Errorf("decoder for kind %q returned a model of kind %q", rec.Kind, m.kind)
	}
	return m, nil
}

// readN reads exactly n bytes. Its allocation grows with the bytes actually read, so a
// corrupt length cannot make it allocate more than the stream holds.
func readN(r io.Reader, n int64) ([]byte, error) {
	const direct = 1 << 20
	if n <= direct {
		buf := make([]byte, n)
		_, err := io.ReadFull(r, buf)
		return buf, truncated(err)
	}
	var buf bytes.Buffer
	got, err := io.CopyN(&buf, r, n)
	if err != nil && got < n {
		return nil, fmt.Errorf("%d of %d bytes: %w", got, n, truncated(err))
	}
	return buf.Bytes(), nil
}

// truncated turns the end of the stream into a descriptive error.
func truncated(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("file truncated: %w", io.ErrUnexpectedEOF)
	}
	return err
}

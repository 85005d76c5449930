package ensemble

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"

	"github.com/rabcert/rab/internal/errs"
	"github.com/rabcert/rab/smoothing"
)

// Ensemble file format, version 3 (see container for the layout): magic "RABENSMB",
// then the manifest below, then the members' bytes, each its MarshalBinary output,
// decoded by the Decoder registered for its kind. The test-time noise u_k is not
// stored: it is redrawn from the bytes. The manifest records the noise in its own text
// form (smoothing.Noise.MarshalText, e.g. "noise":"gaussian(sigma=0.5)") and the
// training data's SHA-256 (DataSHA256) as "dataSHA256", left out when it is unknown
// (FromModels). Version 2 had no dataSHA256 and version 1 recorded the noise as
// {"kind", "sigma" | "a", "b"}; neither is read any more.
const (
	fileMagic   = "RABENSMB"
	fileVersion = 3
	maxDim      = 1 << 24 // largest input dimension Load accepts
)

// manifest describes a saved Ensemble.
type manifest struct {
	Noise     smoothing.Noise `json:"noise"` // its MarshalText form
	Seed      uint64          `json:"seed"`
	Classes   int             `json:"classes"`
	Models    int             `json:"models"`
	Dim       int             `json:"dim"`
	TestNoise *bool           `json:"testNoise"`            // required: a missing field must not silently turn test noise off
	Data      string          `json:"dataSHA256,omitempty"` // hex; empty: unknown (FromModels)
	Members   []memberRecord  `json:"members"`
}

// Save writes e to w in one stream: a versioned manifest (format version, the noise in
// its own text form, e.g. "gaussian(sigma=0.5)" (smoothing.Noise.MarshalText), seed,
// classes C, N, input dimension, whether members vote with test-time noise, the
// training data's SHA-256 when it is known (DataSHA256), and each member's kind, size
// and SHA-256) protected by its own SHA-256, followed by the
// members' MarshalBinary bytes. The hashes detect corruption and truncation; they are
// not a signature: whoever can write the file can change σ or the members, so keep
// saved ensembles where only you can write them. Saving a WithoutTestNoise view saves
// that choice. Every member must implement Kinded, and its bytes must not have changed
// since the Ensemble was built.
//
// Members stream to w one at a time (marshalled into one reused buffer when they
// implement encoding.BinaryAppender): Save holds no second copy of the ensemble.
func (e *Ensemble) Save(w io.Writer) error {
	if err := e.usable("Save"); err != nil {
		return err
	}
	if w == nil {
		return errs.Invalid("ensemble: Save: nil writer")
	}
	man := manifest{
		Noise: e.s.noise, Seed: e.s.seed, Classes: e.s.classes, Models: e.Len(), Dim: e.Dim(),
		TestNoise: &e.testNoise,
	}
	if e.s.hasData {
		man.Data = hex.EncodeToString(e.s.data[:])
	}
	var err error
	if man.Members, err = records(e.s.members, 0); err != nil {
		return errs.Invalid("ensemble: Save: %w", err)
	}
	if err := writeContainer(w, fileMagic, fileVersion, man, e.s.members, 0); err != nil {
		return fmt.Errorf("ensemble: Save: %w", err)
	}
	return nil
}

// Load reads an Ensemble written by Save. It verifies the manifest's and every member's
// SHA-256, decodes each member with the Decoder registered for its kind (import the
// package that defines the models, e.g. ensemble/logistic), checks that the decoded
// model marshals back to the saved bytes, and redraws every u_k. Load reads exactly the
// saved bytes from r. A truncated or corrupt stream, another format version, or an
// unknown kind is an error wrapping ErrCorrupt; memory use is bounded by the bytes
// actually read, and members are read through one reused buffer, so Load holds the
// decoded members and little else.
func Load(r io.Reader) (*Ensemble, error) {
	if r == nil {
		return nil, errs.Invalid("ensemble: Load: nil reader")
	}
	var man manifest
	if err := readManifest(r, fileMagic, fileVersion, "rab ensemble", &man); err != nil {
		return nil, fmt.Errorf("ensemble: Load: %w", err)
	}
	data, err := man.check()
	if err != nil {
		return nil, errs.Corrupt("ensemble: Load: manifest: %w", err)
	}
	s, err := readShared(r, man.Noise, man.Members, 0, man.Classes, man.Seed, man.Dim)
	if err != nil {
		return nil, fmt.Errorf("ensemble: Load: %w", err)
	}
	s.data, s.hasData = data, man.Data != ""
	return &Ensemble{s: s, testNoise: *man.TestNoise}, nil
}

// check validates the manifest's counts and hashes and returns the decoded
// training-data hash (zero if the manifest has none).
func (man *manifest) check() (data [sha256.Size]byte, err error) {
	switch {
	case man.Models < 1 || man.Models > MaxModels || man.Models != len(man.Members):
		return data, errs.Corrupt("%d models with %d member records: want at least 1, one record each", man.Models, len(man.Members))
	case man.Classes < 2:
		return data, errs.Corrupt("%d classes: want at least 2", man.Classes)
	case man.Dim < 0 || man.Dim > maxDim:
		return data, errs.Corrupt("input dimension %d outside [0, %d]", man.Dim, maxDim)
	case man.TestNoise == nil:
		return data, errs.Corrupt("no testNoise field: the file is corrupt or was not written by Ensemble.Save")
	}
	if err := checkNoise(man.Noise); err != nil {
		return data, err
	}
	if man.Data != "" {
		if data, err = decodeDataSHA256(man.Data); err != nil {
			return data, err
		}
	}
	return data, checkRecords(man.Members, 0)
}

// decodeDataSHA256 decodes a manifest's hexadecimal training-data SHA-256.
func decodeDataSHA256(text string) (sum [sha256.Size]byte, err error) {
	if len(text) != 2*sha256.Size {
		return sum, errs.Corrupt("malformed training-data SHA-256 %q", text)
	}
	if _, err := hex.Decode(sum[:], []byte(text)); err != nil {
		return sum, errs.Corrupt("malformed training-data SHA-256 %q", text)
	}
	return sum, nil
}

// checkNoise rejects a manifest without a noise. A noise that is present has been
// parsed and validated by smoothing.Noise.UnmarshalText while the manifest was decoded.
func checkNoise(noise smoothing.Noise) error {
	if noise == (smoothing.Noise{}) {
		return errs.Corrupt("no noise field: the file is corrupt or was not written by rab")
	}
	return nil
}

// memberRecord records a member's kind, size and SHA-256 in a manifest.
type memberRecord struct {
	Kind   string `json:"kind"`
	Size   int    `json:"size"`
	SHA256 string `json:"sha256"`
}

// records returns the manifest records of members, the first being member lo.
func records(members []*member, lo int) ([]memberRecord, error) {
	recs := make([]memberRecord, len(members))
	for i, m := range members {
		if m.kind == "" {
			return nil, errs.Invalid("member %d (%T) does not implement ensemble.Kinded: cannot be saved", lo+i, m.model)
		}
		recs[i] = memberRecord{Kind: m.kind, Size: m.size, SHA256: hex.EncodeToString(m.digest[:])}
	}
	return recs, nil
}

// checkRecords validates member records, the first being member lo.
func checkRecords(recs []memberRecord, lo int) error {
	for i, rec := range recs {
		if _, err := hex.DecodeString(rec.SHA256); err != nil || rec.Kind == "" || rec.Size < 0 || len(rec.SHA256) != 2*sha256.Size {
			return errs.Corrupt("member %d: malformed record %+v", lo+i, rec)
		}
	}
	return nil
}

// readShared rebuilds the state of the ensemble or shard a manifest describes, reading
// its members, the first being member lo, from r. Every error wraps ErrCorrupt or is a
// read error of r.
func readShared(r io.Reader, noise smoothing.Noise, recs []memberRecord, lo, classes int, seed uint64, dim int) (*shared, error) {
	members, err := readMembers(r, recs, lo)
	if err != nil {
		return nil, err
	}
	s, err := newShared(members, noise, classes, seed, dim)
	if err != nil {
		return nil, errs.Corrupt("%w", err)
	}
	return s, nil
}

// readMembers reads, verifies and decodes the members described by recs, the first
// being member lo, through one reused buffer. Every error wraps ErrCorrupt or is a read
// error of r.
func readMembers(r io.Reader, recs []memberRecord, lo int) ([]*member, error) {
	members := make([]*member, len(recs))
	var buf []byte
	for i, rec := range recs {
		var err error
		if members[i], buf, err = readMember(r, rec, buf); err != nil {
			return nil, fmt.Errorf("member %d: %w", lo+i, err)
		}
	}
	return members, nil
}

// readMember reads, verifies and decodes one member; buf is scratch, returned for reuse.
func readMember(r io.Reader, rec memberRecord, buf []byte) (*member, []byte, error) {
	data, err := readN(r, int64(rec.Size), buf)
	if err != nil {
		return nil, buf, err
	}
	sum := sha256.Sum256(data)
	if hex.EncodeToString(sum[:]) != rec.SHA256 {
		return nil, data, errs.Corrupt("SHA-256 mismatch: the file is corrupt")
	}
	decode, err := decoder(rec.Kind)
	if err != nil {
		return nil, data, err
	}
	seed := smoothing.SeedFromModel(data) // before decodeMember reuses data's array
	model, back, err := decodeMember(decode, rec.Kind, data, sum, data)
	if err != nil {
		return nil, back, errs.Corrupt("%w", err)
	}
	m := &member{model: model, kind: rec.Kind, size: rec.Size, digest: sum, seed: seed}
	return m, back, nil
}

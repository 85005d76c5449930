package rab

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/rabcert/rab/internal/errs"
)

// File layout written by Model.Save, version 2 (all integers little-endian):
//
//	magic "RABMODEL" | version uint32 | kind uint8 | SHA-256 of those 13 bytes | payload
//
// The payload is the backend's, made of blocks (length uint64 | bytes | SHA-256 of
// the bytes) and streams that check themselves:
//
//	kind 1 (KindKNN):      block(knn.Smoother.MarshalBinary bytes)
//	kind 2 (KindEnsemble): block(α as float64 bits) | ensemble.Ensemble.Save stream
//
// Nothing may follow the payload. Version 1 stored α in the header for every kind.
const (
	fileMagic   = "RABMODEL"
	fileVersion = 2
	headerSize  = len(fileMagic) + 4 + 1 // magic, version, kind
)

// loaders reads each kind's payload.
var loaders = map[Kind]func(io.Reader, *config) (backend, error){
	KindKNN:      loadKNN,
	KindEnsemble: loadEnsemble,
}

// Save writes the trained model to w, so that a service can train once and certify for
// months: Load(r) gives a model whose certificates are identical. The file is
// checksummed (SHA-256) against corruption and truncation; it is not signed: keep it
// where only you can write it.
func (m *Model) Save(w io.Writer) error {
	if err := m.check("Save"); err != nil {
		return err
	}
	if w == nil {
		return errs.Invalid("rab: Save: nil writer")
	}
	hdr := make([]byte, 0, headerSize+sha256.Size)
	hdr = append(hdr, fileMagic...)
	hdr = binary.LittleEndian.AppendUint32(hdr, fileVersion)
	hdr = append(hdr, byte(m.b.kind()))
	sum := sha256.Sum256(hdr)
	hdr = append(hdr, sum[:]...)
	bw := bufio.NewWriter(w)
	if _, err := bw.Write(hdr); err != nil {
		return fmt.Errorf("rab: Save: %w", err)
	}
	if err := m.b.save(bw); err != nil {
		return fmt.Errorf("rab: Save: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("rab: Save: %w", err)
	}
	return nil
}

// Load reads a model written by Model.Save; r must hold that file and nothing after
// it (Load reads r to its end). A file that is truncated, corrupt, of another format
// version or followed by other data is an error wrapping ErrCorrupt.
//
// The options set how the loaded model certifies: WithWorkers, WithProgress, for
// ensembles WithAlpha (default: the α it was saved with; for a K-NN model WithAlpha is
// an error, its certificates do not depend on α) and for K-NN models WithLabelFlips
// (an error for ensembles). Ensembles whose members come from an
// adapter package (ensemble/gorgonia, ensemble/onnx) need that package imported so its
// model decoder is registered.
func Load(r io.Reader, opts ...LoadOption) (*Model, error) {
	if r == nil {
		return nil, errs.Invalid("rab: Load: nil reader")
	}
	cfg, err := loadConfig("Load", opts)
	if err != nil {
		return nil, err
	}
	br := bufio.NewReader(r)
	kind, err := readHeader(br)
	if err != nil {
		return nil, fmt.Errorf("rab: Load: %w", err)
	}
	b, err := loaders[kind](br, &cfg)
	if err != nil {
		return nil, fmt.Errorf("rab: Load: %w", err)
	}
	if err := expectEnd(br); err != nil {
		return nil, fmt.Errorf("rab: Load: %w", err)
	}
	return &Model{b: b, progress: cfg.progress}, nil
}

// readHeader reads and checks the file header and returns the model's kind.
func readHeader(r io.Reader) (Kind, error) {
	var hdr [headerSize + sha256.Size]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return 0, readError("header", err)
	}
	if string(hdr[:len(fileMagic)]) != fileMagic {
		return 0, errs.Corrupt("not a rab model file (bad magic)")
	}
	if sum := sha256.Sum256(hdr[:headerSize]); !bytes.Equal(sum[:], hdr[headerSize:]) {
		return 0, errs.Corrupt("header fails its SHA-256 check: file corrupt")
	}
	if v := binary.LittleEndian.Uint32(hdr[len(fileMagic):]); v != fileVersion {
		return 0, errs.Corrupt("file format version %d, this rab reads version %d", v, fileVersion)
	}
	kind := Kind(hdr[headerSize-1])
	if loaders[kind] == nil {
		return 0, errs.Corrupt("unknown model kind %d", kind)
	}
	return kind, nil
}

// expectEnd fails unless r is at its end.
func expectEnd(r io.Reader) error {
	var b [1]byte
	switch n, err := io.ReadFull(r, b[:]); {
	case n > 0:
		return errs.Corrupt("trailing data after the model: the file must hold one model and nothing else")
	case errors.Is(err, io.EOF):
		return nil
	default:
		return fmt.Errorf("after the model: %w", err)
	}
}

// writeBlock writes length | data | SHA-256(data).
func writeBlock(w io.Writer, data []byte) error {
	sum := sha256.Sum256(data)
	for _, part := range [][]byte{binary.LittleEndian.AppendUint64(nil, uint64(len(data))), data, sum[:]} {
		if _, err := w.Write(part); err != nil {
			return err
		}
	}
	return nil
}

// readBlock reads a block that writeBlock wrote, of at most limit bytes; what names
// it in errors.
func readBlock(r io.Reader, what string, limit uint64) ([]byte, error) {
	var n [8]byte
	if _, err := io.ReadFull(r, n[:]); err != nil {
		return nil, readError(what+" length", err)
	}
	size := binary.LittleEndian.Uint64(n[:])
	if size > limit {
		return nil, errs.Corrupt("%s of %d bytes, at most %d expected: file corrupt", what, size, limit)
	}
	var data bytes.Buffer // grows with what is read, not with what size claims
	if _, err := io.CopyN(&data, r, int64(size)); err != nil {
		return nil, readError(what, err)
	}
	var sum [sha256.Size]byte
	if _, err := io.ReadFull(r, sum[:]); err != nil {
		return nil, readError(what+" checksum", err)
	}
	if sha256.Sum256(data.Bytes()) != sum {
		return nil, errs.Corrupt("%s fails its SHA-256 check: file corrupt", what)
	}
	return data.Bytes(), nil
}

// readError describes a failed read of what: an end of input is a truncated file
// (ErrCorrupt); any other error is the reader's own.
func readError(what string, err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return errs.Corrupt("reading %s: %w (not a rab model file, or truncated)", what, err)
	}
	return fmt.Errorf("reading %s: %w", what, err)
}

package rab

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/rabcert/rab/ensemble"
	"github.com/rabcert/rab/knn"
)

// File layout written by Model.Save (all integers little-endian):
//
//	magic "RABMODEL" | version uint32 | kind uint8 | α float64 | SHA-256 of the above | payload
//
// kind 1 (K-NN): payload = length uint64 | knn.Smoother bytes | SHA-256 of those bytes.
// kind 2 (ensemble): payload = ensemble.Ensemble.Save stream (hash-checked itself).
const (
	fileMagic   = "RABMODEL"
	fileVersion = 1
	kindKNN     = 1
	kindEnsem   = 2
	headerSize  = len(fileMagic) + 13 // magic, version, kind, α
	// maxKNNBytes bounds the K-NN payload length read from a file (a corrupt length
	// field must not make Load allocate without limit).
	maxKNNBytes = 1 << 34
)

// Save writes the trained model to w, so that a service can train once and certify for
// months: Load(r) gives a model whose certificates are identical.
func (m *Model) Save(w io.Writer) error {
	if err := m.check(); err != nil {
		return err
	}
	var hdr [headerSize]byte
	copy(hdr[:], fileMagic)
	binary.LittleEndian.PutUint32(hdr[len(fileMagic):], fileVersion)
	hdr[len(fileMagic)+4] = kindEnsem
	if m.knn != nil {
		hdr[len(fileMagic)+4] = kindKNN
	}
	binary.LittleEndian.PutUint64(hdr[len(fileMagic)+5:], math.Float64bits(m.alpha))
	sum := sha256.Sum256(hdr[:])
	bw := bufio.NewWriter(w)
	bw.Write(hdr[:])
	bw.Write(sum[:])
	if m.knn != nil {
		if err := writeKNN(bw, m.knn); err != nil {
			return err
		}
	} else {
		if err := m.ens.Save(bw); err != nil {
			return fmt.Errorf("rab: Save: %w", err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("rab: Save: %w", err)
	}
	return nil
}

func writeKNN(w io.Writer, s *knn.Smoother) error {
	data, err := s.MarshalBinary()
	if err != nil {
		return fmt.Errorf("rab: Save: %w", err)
	}
	var n [8]byte
	binary.LittleEndian.PutUint64(n[:], uint64(len(data)))
	sum := sha256.Sum256(data)
	for _, b := range [][]byte{n[:], data, sum[:]} {
		if _, err := w.Write(b); err != nil {
			return fmt.Errorf("rab: Save: %w", err)
		}
	}
	return nil
}

// Load reads a model written by Model.Save. It rejects files that are truncated, corrupt
// or of an unknown version with an error saying so. Options set how the loaded model
// certifies: WithWorkers, WithProgress and WithAlpha (default: the α it was saved with);
// the training options describe how it was trained and are ignored. Ensembles whose
// members come from an adapter package (ensemble/gorgonia, ensemble/onnx) need that
// package imported so its model decoder is registered.
func Load(r io.Reader, opts ...Option) (*Model, error) {
	br := bufio.NewReader(r)
	var hdr [headerSize + sha256.Size]byte
	if _, err := io.ReadFull(br, hdr[:]); err != nil {
		return nil, fmt.Errorf("rab: Load: reading header: %w (not a rab model file, or truncated)", err)
	}
	if string(hdr[:len(fileMagic)]) != fileMagic {
		return nil, errors.New("rab: Load: not a rab model file (bad magic)")
	}
	if sum := sha256.Sum256(hdr[:headerSize]); !bytes.Equal(sum[:], hdr[headerSize:]) {
		return nil, errors.New("rab: Load: header fails its SHA-256 check: file corrupt")
	}
	rest := hdr[len(fileMagic):headerSize]
	if v := binary.LittleEndian.Uint32(rest); v != fileVersion {
		return nil, fmt.Errorf("rab: Load: file format version %d, this rab reads version %d", v, fileVersion)
	}
	saved := defaultConfig()
	saved.alpha = math.Float64frombits(binary.LittleEndian.Uint64(rest[5:]))
	cfg := newConfig(saved, opts)
	if err := cfg.validateCertifying(); err != nil {
		return nil, err
	}
	m := &Model{alpha: cfg.alpha, progress: cfg.progress}
	var err error
	switch rest[4] {
	case kindKNN:
		m.knn, err = readKNN(br, cfg.workers)
	case kindEnsem:
		var e *ensemble.Ensemble
		if e, err = ensemble.Load(br); err == nil {
			m.ens = e.WithVoteWorkers(cfg.workers)
			err = checkEnsembleSize(e.Len(), e.Classes(), cfg.alpha)
		}
	default:
		err = fmt.Errorf("unknown model kind %d", rest[4])
	}
	if err != nil {
		return nil, fmt.Errorf("rab: Load: %w", err)
	}
	return m, nil
}

func readKNN(r io.Reader, workers int) (*knn.Smoother, error) {
	var n [8]byte
	if _, err := io.ReadFull(r, n[:]); err != nil {
		return nil, fmt.Errorf("reading K-NN length: %w", err)
	}
	size := binary.LittleEndian.Uint64(n[:])
	if size > maxKNNBytes {
		return nil, fmt.Errorf("K-NN payload of %d bytes: file corrupt", size)
	}
	var data bytes.Buffer
	if _, err := io.CopyN(&data, r, int64(size)); err != nil {
		return nil, fmt.Errorf("reading K-NN payload: %w (file truncated)", err)
	}
	var sum [sha256.Size]byte
	if _, err := io.ReadFull(r, sum[:]); err != nil {
		return nil, fmt.Errorf("reading K-NN checksum: %w (file truncated)", err)
	}
	if sha256.Sum256(data.Bytes()) != sum {
		return nil, errors.New("K-NN payload fails its SHA-256 check: file corrupt")
	}
	return knn.Unmarshal(data.Bytes(), knn.WithWorkers(workers))
}

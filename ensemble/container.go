package ensemble

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/rabcert/rab/internal/errs"
)

// Ensemble files and shard files share one layout; all integers are little-endian:
//
//	magic    8 bytes ("RABENSMB" or "RABSHARD")
//	version  uint32                          4 bytes
//	length   uint32                          4 bytes: length L of the manifest
//	manifest JSON                            L bytes
//	digest   SHA-256 of the manifest         32 bytes
//	models   the members' bytes in order     sizes and SHA-256 in the manifest
const headerSize = 8 + 4 + 4

// writeContainer writes the header, the manifest man and its digest, then streams the
// members' bytes, checking each against the digest recorded when the member was made;
// lo is the index of members[0] in errors. Members are marshalled one at a time into
// one reused buffer (for models that implement encoding.BinaryAppender).
func writeContainer(w io.Writer, magic string, version uint32, man any, members []*member, lo int) error {
	js, err := json.Marshal(man)
	if err != nil {
		return err
	}
	if uint64(len(js)) > 1<<32-1 {
		return errs.Invalid("manifest of %d bytes exceeds the format's 4 GiB", len(js))
	}
	header := make([]byte, 0, headerSize)
	header = append(header, magic...)
	header = binary.LittleEndian.AppendUint32(header, version)
	header = binary.LittleEndian.AppendUint32(header, uint32(len(js)))
	digest := sha256.Sum256(js)
	for _, part := range [][]byte{header, js, digest[:]} {
		if _, err := w.Write(part); err != nil {
			return err
		}
	}
	var buf []byte
	for i, m := range members {
		if buf, err = m.write(w, buf); err != nil {
			return fmt.Errorf("member %d: %w", lo+i, err)
		}
	}
	return nil
}

// write writes the member's bytes to w after checking them against its digest; buf is
// marshal scratch, returned for reuse.
func (m *member) write(w io.Writer, buf []byte) ([]byte, error) {
	m.mu.Lock()
	data, err := marshal(m.model, buf)
	m.mu.Unlock()
	if err != nil {
		return buf, errs.Invalid("%w", err)
	}
	if sha256.Sum256(data) != m.digest {
		return data, errs.Invalid("its bytes changed since the ensemble was built (its test-time noise depends on them)")
	}
	_, err = w.Write(data)
	return data, err
}

// readManifest reads and checks the header and the manifest's digest, and decodes the
// manifest into man, rejecting unknown fields. what names the file kind in errors.
// Every error wraps ErrCorrupt or is a read error of r.
func readManifest(r io.Reader, magic string, version uint32, what string, man any) error {
	header := make([]byte, headerSize)
	if _, err := io.ReadFull(r, header); err != nil {
		return fmt.Errorf("reading header: %w", truncated(err))
	}
	if got := string(header[:len(magic)]); got != magic {
		return errs.Corrupt("not a %s (magic %q, want %q)", what, got, magic)
	}
	if v := binary.LittleEndian.Uint32(header[len(magic):]); v != version {
		return errs.Corrupt("file format version %d: this build reads version %d", v, version)
	}
	n := int64(binary.LittleEndian.Uint32(header[len(magic)+4:]))
	js, err := readN(r, n+sha256.Size, nil)
	if err != nil {
		return fmt.Errorf("reading manifest: %w", err)
	}
	js, digest := js[:n], js[n:]
	if sum := sha256.Sum256(js); !bytes.Equal(sum[:], digest) {
		return errs.Corrupt("manifest SHA-256 mismatch: the file is corrupt")
	}
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.DisallowUnknownFields()
	// %v, not %w: a manifest that does not decode is a corrupt file whatever the reason,
	// including a stored σ ≤ 0, which smoothing.Noise.UnmarshalText reports as invalid
	// input.
	if err := dec.Decode(man); err != nil {
		return errs.Corrupt("manifest: %v", err)
	}
	if dec.More() {
		return errs.Corrupt("manifest: data after the JSON object")
	}
	return nil
}

// readN reads exactly n bytes into buf's array if it is large enough, else into a new
// one. Its allocation grows with the bytes actually read, so a corrupt length cannot
// make it allocate more than the stream holds.
func readN(r io.Reader, n int64, buf []byte) ([]byte, error) {
	const direct = 1 << 20
	if n <= int64(cap(buf)) || n <= direct {
		if n > int64(cap(buf)) {
			buf = make([]byte, n)
		}
		buf = buf[:n]
		_, err := io.ReadFull(r, buf)
		return buf, truncated(err)
	}
	b := bytes.NewBuffer(buf[:0])
	got, err := io.CopyN(b, r, n)
	if err != nil && got < n {
		return b.Bytes(), fmt.Errorf("%d of %d bytes: %w", got, n, truncated(err))
	}
	return b.Bytes(), nil
}

// truncated turns the end of the stream into a descriptive error wrapping ErrCorrupt
// and io.ErrUnexpectedEOF; other errors (and nil) are returned unchanged.
func truncated(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return errs.Corrupt("file truncated: %w", io.ErrUnexpectedEOF)
	}
	return err
}

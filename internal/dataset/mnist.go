package dataset

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"

	"github.com/rabcert/rab/internal/errs"
)

// MNIST geometry and file format (LeCun, Cortes, Burges, "The MNIST database of
// handwritten digits"): each file is an IDX stream, a big-endian header of a magic
// number 0x0000TTDD (TT the element type, 0x08 = unsigned byte; DD the number of
// dimensions) and DD uint32 sizes, then the elements row-major.
const (
	MNISTSide     = 28                    // image height and width in pixels
	MNISTFeatures = MNISTSide * MNISTSide // features per image: 784 pixels, row-major
	MNISTClasses  = 10                    // the digits 0..9

	idxLabelMagic = 0x00000801 // unsigned bytes, 1 dimension
	idxImageMagic = 0x00000803 // unsigned bytes, 3 dimensions
	gzipMagic     = "\x1f\x8b"
	maxBlockRows  = 1024 // most images allocated at a time (blocks double from 1)
)

// The MNIST file names, as published and as shipped by GoMNIST (each also read
// without its ".gz" suffix).
var (
	mnistTrainFiles = [2]string{"train-images-idx3-ubyte", "train-labels-idx1-ubyte"}
	mnistTestFiles  = [2]string{"t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"}
)

// mnistNames are the feature names p0..p783 (pixel row·28 + column), shared by every
// MNIST Set.
var mnistNames = func() []string {
	names := make([]string, MNISTFeatures)
	for i := range names {
		names[i] = "p" + strconv.Itoa(i)
	}
	return names
}()

// MNIST reads the 60,000 training and 10,000 test images of MNIST from the four IDX
// files in dir (train-images-idx3-ubyte, train-labels-idx1-ubyte,
// t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, each gzip-compressed with a ".gz"
// suffix or plain). An empty dir means MNISTDir(), the copy shipped in the GoMNIST
// module. Each image becomes 784 features in [0, 1] (byte/255, row-major, 0 =
// background) and its digit the label in [0, 10).
//
// A missing file is an error wrapping ErrInvalidInput (and fs.ErrNotExist); a file
// that does not decode, ErrCorrupt.
func MNIST(dir string) (train, test Set, err error) {
	if dir == "" {
		if dir, err = MNISTDir(); err != nil {
			return Set{}, Set{}, err
		}
	}
	if train, err = readMNISTFiles(dir, mnistTrainFiles); err != nil {
		return Set{}, Set{}, err
	}
	if test, err = readMNISTFiles(dir, mnistTestFiles); err != nil {
		return Set{}, Set{}, err
	}
	return train, test, nil
}

// readMNISTFiles reads one split from its image and label files in dir.
func readMNISTFiles(dir string, names [2]string) (Set, error) {
	var files [2]*os.File
	for i, name := range names {
		f, err := openMaybeGzipped(dir, name)
		if err != nil {
			return Set{}, err
		}
		defer f.Close()
		files[i] = f
	}
	s, err := ReadMNIST(files[0], files[1])
	if err != nil {
		return Set{}, fmt.Errorf("%s, %s: %w", files[0].Name(), files[1].Name(), err)
	}
	return s, nil
}

// openMaybeGzipped opens dir/name.gz, or dir/name when there is no .gz.
func openMaybeGzipped(dir, name string) (*os.File, error) {
	path := filepath.Join(dir, name)
	f, err := os.Open(path + ".gz")
	if errors.Is(err, fs.ErrNotExist) {
		f, err = os.Open(path)
	}
	if err != nil {
		return nil, errs.Invalid("dataset: MNIST: %w (want %s.gz or %s in %s; pass the directory "+
			"that holds the four MNIST IDX files, or \"\" for the GoMNIST module's copy)", err, name, name, dir)
	}
	return f, nil
}

// ReadMNIST decodes one MNIST split from its image stream (IDX magic 0x00000803,
// n×28×28 unsigned bytes) and its label stream (magic 0x00000801, n bytes in 0..9).
// Either stream may be gzip-compressed (detected by its magic bytes). The image and
// label counts must agree and neither stream may hold bytes past its last element.
// Pixels become byte/255 in [0, 1], 784 features row-major.
//
// Every decoding failure (truncation, a wrong magic number or size, a label outside
// 0..9, trailing data, a bad gzip checksum) is an error wrapping ErrCorrupt. Memory
// grows with the bytes actually read, never with a declared count.
func ReadMNIST(images, labels io.Reader) (Set, error) {
	if images == nil || labels == nil {
		return Set{}, errs.Invalid("dataset: ReadMNIST: nil reader")
	}
	img, err := newIDXReader(images, "images", idxImageMagic)
	if err != nil {
		return Set{}, err
	}
	lab, err := newIDXReader(labels, "labels", idxLabelMagic)
	if err != nil {
		return Set{}, err
	}
	if img.dims[1] != MNISTSide || img.dims[2] != MNISTSide {
		return Set{}, errs.Corrupt("dataset: MNIST images: %d×%d pixels per image, want %d×%d",
			img.dims[1], img.dims[2], MNISTSide, MNISTSide)
	}
	n := img.dims[0]
	if lab.dims[0] != n {
		return Set{}, errs.Corrupt("dataset: MNIST: %d images but %d labels", n, lab.dims[0])
	}
	s := Set{Names: mnistNames, Classes: MNISTClasses}
	var block []float64
	blockRows := 1
	pixels := make([]byte, MNISTFeatures)
	for i := range n {
		label, err := lab.ReadByte()
		if err != nil {
			return Set{}, lab.truncated(i, n, err)
		}
		if label >= MNISTClasses {
			return Set{}, errs.Corrupt("dataset: MNIST labels: label %d of image %d is not a digit 0..9", label, i)
		}
		if _, err := io.ReadFull(img, pixels); err != nil {
			return Set{}, img.truncated(i, n, err)
		}
		if len(block) == 0 { // blocks double, so memory stays within twice the images read
			block = make([]float64, min(n-i, blockRows)*MNISTFeatures)
			blockRows = min(2*blockRows, maxBlockRows)
		}
		x := block[:MNISTFeatures:MNISTFeatures]
		block = block[MNISTFeatures:]
		for j, p := range pixels {
			x[j] = float64(p) / 255
		}
		s.X = append(s.X, x)
		s.Y = append(s.Y, int(label))
	}
	if err := img.end(); err != nil {
		return Set{}, err
	}
	if err := lab.end(); err != nil {
		return Set{}, err
	}
	return s, nil
}

// idxReader reads the elements of one IDX stream after its header.
type idxReader struct {
	*bufio.Reader
	what string // "images" or "labels", for messages
	dims []int  // the declared sizes
}

// newIDXReader decompresses r if it starts with the gzip magic, then reads and checks
// the IDX header against magic.
func newIDXReader(r io.Reader, what string, magic uint32) (*idxReader, error) {
	br := bufio.NewReader(r)
	if head, _ := br.Peek(len(gzipMagic)); string(head) == gzipMagic {
		z, err := gzip.NewReader(br)
		if err != nil {
			return nil, errs.Corrupt("dataset: MNIST %s: gzip header: %w", what, err)
		}
		br = bufio.NewReader(z)
	}
	var got uint32
	if err := binary.Read(br, binary.BigEndian, &got); err != nil {
		return nil, errs.Corrupt("dataset: MNIST %s: IDX magic number: %w", what, unexpected(err))
	}
	if got != magic {
		return nil, errs.Corrupt("dataset: MNIST %s: IDX magic number 0x%08x, want 0x%08x (unsigned bytes, %d dimensions)",
			what, got, magic, magic&0xff)
	}
	sizes := make([]uint32, magic&0xff)
	if err := binary.Read(br, binary.BigEndian, sizes); err != nil {
		return nil, errs.Corrupt("dataset: MNIST %s: IDX sizes: %w", what, unexpected(err))
	}
	dims := make([]int, len(sizes))
	for i, d := range sizes {
		dims[i] = int(d)
	}
	return &idxReader{Reader: br, what: what, dims: dims}, nil
}

// truncated explains a failed read of element i of n.
func (r *idxReader) truncated(i, n int, err error) error {
	return errs.Corrupt("dataset: MNIST %s: item %d of %d: %w", r.what, i, n, unexpected(err))
}

// end checks that the stream ends after its last element (which also makes gzip verify
// its checksum and length).
func (r *idxReader) end() error {
	switch _, err := r.ReadByte(); {
	case err == nil:
		return errs.Corrupt("dataset: MNIST %s: data after the %d declared items", r.what, r.dims[0])
	case err != io.EOF:
		return errs.Corrupt("dataset: MNIST %s: after the last item: %w", r.what, err)
	}
	return nil
}

// unexpected turns a clean EOF in the middle of a stream into io.ErrUnexpectedEOF.
func unexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

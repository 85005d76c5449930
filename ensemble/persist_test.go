package ensemble_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rabcert/rab/ensemble"
	"github.com/rabcert/rab/smoothing"
)

const headerSize = 16 // magic, version, manifest length

func TestSaveLoadRoundTrip(t *testing.T) {
	e, X := trainBlobs(t)
	data := saved(t, e)
	loaded, err := ensemble.Load(bytesReader(data))
	require.NoError(t, err)
	assert.Equal(t, votes(t, e, X), votes(t, loaded, X))
	assert.Equal(t, data, saved(t, loaded), "Save(Load(f)) must reproduce f")
	assert.Equal(t, e.Len(), loaded.Len())
	assert.Equal(t, e.Classes(), loaded.Classes())
	assert.Equal(t, e.Seed(), loaded.Seed())
	assert.Equal(t, e.Dim(), loaded.Dim())
	assert.Equal(t, e.Noise(), loaded.Noise())
	assert.True(t, loaded.TestNoise())
	sum, ok := loaded.DataSHA256()
	assert.True(t, ok)
	trained, _ := e.DataSHA256()
	assert.Equal(t, trained, sum, "the training data's hash survives Save and Load")
	sum, ok = loaded.WithoutTestNoise().WithVoteWorkers(1).DataSHA256()
	assert.True(t, ok)
	assert.Equal(t, trained, sum, "views share it")

	// The view without test noise and uniform noise survive the round trip too.
	uniform, err := smoothing.Uniform(-0.5, 1.5)
	require.NoError(t, err)
	u, err := ensemble.FromModels(thresholds(9), uniform, 2)
	require.NoError(t, err)
	plain := u.WithoutTestNoise()
	back, err := ensemble.Load(bytesReader(saved(t, plain)))
	require.NoError(t, err)
	assert.False(t, back.TestNoise())
	assert.Equal(t, uniform, back.Noise())
	for _, fromModels := range []*ensemble.Ensemble{u, back} {
		sum, ok := fromModels.DataSHA256()
		assert.False(t, ok, "FromModels: the training data is unknown")
		assert.Zero(t, sum)
	}
	assert.NotContains(t, string(saved(t, plain)), "dataSHA256")
	grid := [][]float64{{-2}, {-0.5}, {0}, {0.7}, {3}}
	assert.Equal(t, votes(t, plain, grid), votes(t, back, grid))
}

// TestLoadReadsOnlyTheEnsemble: Load leaves the reader just after the ensemble.
func TestLoadReadsOnlyTheEnsemble(t *testing.T) {
	e, _ := trainBlobs(t)
	r := bytes.NewReader(append(saved(t, e), "after"...))
	_, err := ensemble.Load(r)
	require.NoError(t, err)
	rest, _ := io.ReadAll(r)
	assert.Equal(t, "after", string(rest))
}

// TestManifestContents decodes the manifest of a saved file and checks each field.
func TestManifestContents(t *testing.T) {
	e, _ := trainBlobs(t)
	data := saved(t, e)
	assert.Equal(t, "RABENSMB", string(data[:8]))
	assert.Equal(t, uint32(3), binary.LittleEndian.Uint32(data[8:]))
	n := binary.LittleEndian.Uint32(data[12:])
	js := data[headerSize : headerSize+n]
	digest := sha256.Sum256(js)
	assert.Equal(t, digest[:], data[headerSize+n:headerSize+n+32])
	var man struct {
		Noise                      string
		Seed, Classes, Models, Dim int
		TestNoise                  bool
		DataSHA256                 string
		Members                    []struct {
			Kind, SHA256 string
			Size         int
		}
	}
	require.NoError(t, json.Unmarshal(js, &man))
	assert.Equal(t, "gaussian(sigma=1)", man.Noise, "the noise's own text form")
	assert.Contains(t, string(js), `"noise":"gaussian(sigma=1)"`)
	assert.Equal(t, []int{7, 3, 12, 4}, []int{man.Seed, man.Classes, man.Models, man.Dim})
	assert.True(t, man.TestNoise)
	X, y := blobs(20, 4, 3, 1) // trainBlobs's data
	sumData := ensemble.DataSHA256(X, y)
	assert.Equal(t, hex.EncodeToString(sumData[:]), man.DataSHA256)
	require.Len(t, man.Members, 12)
	offset := headerSize + int(n) + 32
	for k, m := range man.Members {
		model, err := e.Models()[k].MarshalBinary()
		require.NoError(t, err)
		assert.Equal(t, "logistic", m.Kind)
		assert.Equal(t, len(model), m.Size)
		sum := sha256.Sum256(model)
		assert.Equal(t, hex.EncodeToString(sum[:]), m.SHA256)
		assert.Equal(t, model, data[offset:offset+m.Size], "member %d's bytes", k)
		offset += m.Size
	}
	assert.Equal(t, len(data), offset)
}

// TestLoadRejectsDamagedFiles flips one byte in each part of the file, truncates it at
// several points, and forges headers: every case must fail with a clear error.
func TestLoadRejectsDamagedFiles(t *testing.T) {
	e, _ := trainBlobs(t)
	data := saved(t, e)
	manifestLen := int(binary.LittleEndian.Uint32(data[12:]))
	membersAt := headerSize + manifestLen + 32
	flip := func(i int) []byte {
		b := bytes.Clone(data)
		b[i] ^= 0x40
		return b
	}
	withHeader := func(magic string, version, length uint32) []byte {
		b := append([]byte(magic), binary.LittleEndian.AppendUint32(nil, version)...)
		return append(binary.LittleEndian.AppendUint32(b, length), data[headerSize:]...)
	}
	cases := map[string]struct {
		data []byte
		want string
	}{
		"empty":               {nil, "truncated"},
		"wrong magic":         {flip(0), "not a rab ensemble"},
		"other file":          {[]byte("PK\x03\x04 a zip file, not an ensemble"), "not a rab ensemble"},
		"version 1":           {withHeader("RABENSMB", 1, uint32(manifestLen)), "file format version 1: this build reads version 3"},
		"version 2":           {withHeader("RABENSMB", 2, uint32(manifestLen)), "file format version 2: this build reads version 3"},
		"version 4":           {withHeader("RABENSMB", 4, uint32(manifestLen)), "file format version 4: this build reads version 3"},
		"manifest length":     {withHeader("RABENSMB", 3, uint32(manifestLen-1)), "manifest SHA-256 mismatch"},
		"huge manifest":       {withHeader("RABENSMB", 3, 1<<32-1), "truncated"},
		"manifest byte":       {flip(headerSize + 5), "manifest SHA-256 mismatch"},
		"manifest digest":     {flip(headerSize + manifestLen + 3), "manifest SHA-256 mismatch"},
		"first member byte":   {flip(membersAt), "member 0: SHA-256 mismatch"},
		"last byte":           {flip(len(data) - 1), "member 11: SHA-256 mismatch"},
		"truncated header":    {data[:10], "truncated"},
		"truncated manifest":  {data[:headerSize+manifestLen/2], "truncated"},
		"truncated member":    {data[:membersAt+10], "member 0"},
		"truncated last byte": {data[:len(data)-1], "member 11"},
	}
	for name, c := range cases {
		_, err := ensemble.Load(bytesReader(c.data))
		if assert.Error(t, err, name) {
			assert.Contains(t, err.Error(), c.want, name)
			assert.Contains(t, err.Error(), "ensemble: Load", name)
			assert.ErrorIs(t, err, ensemble.ErrCorrupt, name)
			assert.NotErrorIs(t, err, ensemble.ErrInvalidInput, name)
		}
	}
	_, err := ensemble.Load(bytes.NewReader(data[:len(data)-1]))
	assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
}

// forge returns a file with the given manifest (re-hashed, so that only the manifest's
// content is wrong) followed by body.
func forge(t *testing.T, man map[string]any, body []byte) []byte {
	t.Helper()
	js, err := json.Marshal(man)
	require.NoError(t, err)
	b := append([]byte("RABENSMB"), binary.LittleEndian.AppendUint32(nil, 3)...)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(js)))
	b = append(b, js...)
	sum := sha256.Sum256(js)
	return append(append(b, sum[:]...), body...)
}

func TestLoadRejectsInconsistentManifests(t *testing.T) {
	model, _ := (&thresholdModel{cut: 0.5, class: 1}).MarshalBinary()
	sum := sha256.Sum256(model)
	member := func(kind string) map[string]any {
		return map[string]any{"kind": kind, "size": len(model), "sha256": hex.EncodeToString(sum[:])}
	}
	good := func() map[string]any {
		return map[string]any{
			"noise": "gaussian(sigma=0.5)", "seed": 1, "classes": 2,
			"models": 1, "dim": 1, "testNoise": true, "members": []any{member(thresholdKind)},
		}
	}
	e, err := ensemble.Load(bytesReader(forge(t, good(), model)))
	require.NoError(t, err, "the forged baseline must load")
	assert.Equal(t, 1, e.Len())
	_, known := e.DataSHA256()
	assert.False(t, known, "no dataSHA256 field: unknown")
	withData := good()
	withData["dataSHA256"] = hex.EncodeToString(sum[:])
	e, err = ensemble.Load(bytesReader(forge(t, withData, model)))
	require.NoError(t, err)
	data, known := e.DataSHA256()
	assert.True(t, known)
	assert.Equal(t, sum, data)
	cases := map[string]struct {
		edit func(m map[string]any)
		want string
	}{
		"unknown kind":   {func(m map[string]any) { m["members"] = []any{member("no-such-kind")} }, `no decoder registered for model kind "no-such-kind"`},
		"models ≠ list":  {func(m map[string]any) { m["models"] = 2 }, "2 models with 1 member records"},
		"no models":      {func(m map[string]any) { m["models"] = 0; m["members"] = []any{} }, "want at least 1"},
		"one class":      {func(m map[string]any) { m["classes"] = 1 }, "1 classes"},
		"negative dim":   {func(m map[string]any) { m["dim"] = -1 }, "input dimension -1"},
		"huge dim":       {func(m map[string]any) { m["dim"] = 1 << 40 }, "input dimension 1099511627776"},
		"noise kind":     {func(m map[string]any) { m["noise"] = "laplace(b=1)" }, `unknown noise kind "laplace"`},
		"bad sigma":      {func(m map[string]any) { m["noise"] = "gaussian(sigma=-1)" }, "σ = -1"},
		"bad bounds":     {func(m map[string]any) { m["noise"] = "uniform(a=1,b=1)" }, "want a < b"},
		"noise text":     {func(m map[string]any) { m["noise"] = "gaussian(sigma=one)" }, `"one": invalid syntax`},
		"no noise":       {func(m map[string]any) { delete(m, "noise") }, "no noise field"},
		"null noise":     {func(m map[string]any) { m["noise"] = nil }, "no noise field"},
		"noise object":   {func(m map[string]any) { m["noise"] = map[string]any{"kind": "gaussian", "sigma": 0.5} }, "cannot unmarshal object"},
		"unknown field":  {func(m map[string]any) { m["extra"] = 1 }, "unknown field"},
		"no testNoise":   {func(m map[string]any) { delete(m, "testNoise") }, "no testNoise field"},
		"data hash":      {func(m map[string]any) { m["dataSHA256"] = "abc" }, `malformed training-data SHA-256 "abc"`},
		"hex data hash":  {func(m map[string]any) { m["dataSHA256"] = string(bytes.Repeat([]byte("z"), 64)) }, "malformed training-data SHA-256"},
		"data hash type": {func(m map[string]any) { m["dataSHA256"] = 7 }, "manifest: json"},
		"negative size": {func(m map[string]any) {
			m["members"] = []any{map[string]any{"kind": thresholdKind, "size": -1, "sha256": hex.EncodeToString(sum[:])}}
		}, "malformed record"},
		"short sha": {func(m map[string]any) {
			m["members"] = []any{map[string]any{"kind": thresholdKind, "size": len(model), "sha256": "abcd"}}
		}, "malformed record"},
		"not JSON types": {func(m map[string]any) { m["classes"] = "two" }, "manifest: json"},
	}
	for name, c := range cases {
		man := good()
		c.edit(man)
		_, err := ensemble.Load(bytesReader(forge(t, man, model)))
		assert.ErrorContains(t, err, c.want, name)
		assert.ErrorIs(t, err, ensemble.ErrCorrupt, name)
		assert.NotErrorIs(t, err, ensemble.ErrInvalidInput, name)
	}
	// A decoder that rejects its bytes.
	bad := append([]byte(nil), model[:15]...)
	badSum := sha256.Sum256(bad)
	man := good()
	man["members"] = []any{map[string]any{"kind": thresholdKind, "size": len(bad), "sha256": hex.EncodeToString(badSum[:])}}
	_, err = ensemble.Load(bytesReader(forge(t, man, bad)))
	assert.ErrorContains(t, err, `member 0: decoding kind "ensemble_test.threshold": threshold: want 16 bytes`)
}

func TestSaveRejectsUnsavableMembers(t *testing.T) {
	e, err := ensemble.FromModels([]ensemble.Model{&thresholdModel{class: 1}, plainModel{}}, gaussian(t, 1), 2)
	require.NoError(t, err)
	assert.ErrorContains(t, e.Save(io.Discard), "member 1 (ensemble_test.plainModel) does not implement ensemble.Kinded")

	changing := &thresholdModel{cut: 0.25, class: 1}
	e, err = ensemble.FromModels([]ensemble.Model{changing}, gaussian(t, 1), 2)
	require.NoError(t, err)
	changing.cut = 0.5
	assert.ErrorContains(t, e.Save(io.Discard), "member 0: its bytes changed")

	e, err = ensemble.FromModels([]ensemble.Model{&thresholdModel{class: 1}}, gaussian(t, 1), 2)
	require.NoError(t, err)
	assert.ErrorIs(t, e.Save(failingWriter{}), io.ErrShortWrite)
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, io.ErrShortWrite }

// TestLoadedVotesUseRedrawnNoise: Load redraws u_k from the saved bytes, so votes with
// test-time noise after Load equal those before, for a model that is not Dimensioned
// whose dimension was fixed by a vote before Save.
func TestLoadedVotesUseRedrawnNoise(t *testing.T) {
	e, err := ensemble.FromModels(thresholds(25), gaussian(t, 1), 2)
	require.NoError(t, err)
	X := [][]float64{{0, 1}, {0.5, -1}, {-0.3, 2}}
	before := votes(t, e, X)
	loaded, err := ensemble.Load(bytesReader(saved(t, e)))
	require.NoError(t, err)
	assert.Equal(t, 2, loaded.Dim())
	assert.Equal(t, before, votes(t, loaded, X))
	_, err = loaded.Votes(context.Background(), []float64{1})
	assert.ErrorContains(t, err, "members take 2")
}

// FuzzLoad checks that no input makes Load panic, and that whatever Load accepts, Save
// writes back byte for byte (the bytes Load consumed) and can vote.
func FuzzLoad(f *testing.F) {
	e, _ := trainBlobs(f)
	f.Add(saved(f, e))
	uniform, err := smoothing.Uniform(-1, 2)
	require.NoError(f, err)
	lazy, err := ensemble.FromModels(thresholds(3), uniform, 2)
	require.NoError(f, err)
	f.Add(saved(f, lazy.WithoutTestNoise()))
	f.Add([]byte("RABENSMB\x03\x00\x00\x00\x02\x00\x00\x00{}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r := bytes.NewReader(data)
		loaded, err := ensemble.Load(r)
		if err != nil {
			if !errors.Is(err, ensemble.ErrCorrupt) {
				t.Fatalf("Load error does not wrap ErrCorrupt: %v", err)
			}
			return
		}
		consumed := data[:len(data)-r.Len()]
		if got := saved(t, loaded); !bytes.Equal(got, consumed) {
			t.Fatalf("Save(Load(f)) differs from f")
		}
		d := max(loaded.Dim(), 1)
		_, _ = loaded.Votes(context.Background(), make([]float64, d))
	})
}

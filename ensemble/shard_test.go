package ensemble_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rabcert/rab/ensemble"
	"github.com/rabcert/rab/ensemble/logistic"
	"github.com/rabcert/rab/smoothing"
)

// shardSetup is the ensemble the shard tests split: N = 64 logistic members on 3-class
// blobs, σ = 1, seed 5.
type shardSetup struct {
	X     [][]float64
	y     []int
	l     *logistic.Learner
	noise smoothing.Noise
	opts  []ensemble.Option
}

const shardModels = 64

func newShardSetup(t testing.TB) shardSetup {
	X, y := blobs(20, 4, 3, 1)
	return shardSetup{X: X, y: y, l: newLogistic(t), noise: gaussian(t, 1),
		opts: []ensemble.Option{ensemble.WithModels(shardModels), ensemble.WithSeed(5)}}
}

// shard trains shard i of m with extra options.
func (s shardSetup) shard(t testing.TB, i, m int, extra ...ensemble.Option) *ensemble.Shard {
	t.Helper()
	lo, hi, err := ensemble.ShardRange(shardModels, i, m)
	require.NoError(t, err)
	sh, err := ensemble.TrainShard(context.Background(), s.X, s.y, s.l, s.noise, lo, hi, append(append([]ensemble.Option{}, s.opts...), extra...)...)
	require.NoError(t, err)
	return sh
}

// shardBytes returns sh's Save output.
func shardBytes(t testing.TB, sh *ensemble.Shard) []byte {
	t.Helper()
	var buf bytesBuffer
	require.NoError(t, sh.Save(&buf))
	return buf.b
}

// TestMergeIsTrain: 4 shards, trained with different worker counts, saved, loaded and
// merged in shuffled order, give the ensemble Train builds in one call: the same file
// byte for byte and the same votes.
func TestMergeIsTrain(t *testing.T) {
	s := newShardSetup(t)
	whole, err := ensemble.Train(context.Background(), s.X, s.y, s.l, s.noise, s.opts...)
	require.NoError(t, err)
	want := saved(t, whole)

	shards := make([]*ensemble.Shard, 4)
	for i := range shards {
		trained := s.shard(t, i, 4, ensemble.WithWorkers(1+i%2))
		shards[i], err = ensemble.LoadShard(bytesReader(shardBytes(t, trained)))
		require.NoError(t, err)
	}
	merged, err := ensemble.Merge(shards[2], shards[0], shards[3], shards[1])
	require.NoError(t, err)
	assert.Equal(t, want, saved(t, merged), "merged file must equal Train's")
	for k := range shardModels {
		a, _ := whole.MemberSHA256(k)
		b, ok := merged.MemberSHA256(k)
		require.True(t, ok)
		require.Equal(t, a, b, "member %d", k)
	}
	_, ok := merged.MemberSHA256(shardModels)
	assert.False(t, ok)
	assert.Equal(t, votes(t, whole, s.X), votes(t, merged, s.X))
	for _, e := range []*ensemble.Ensemble{whole, merged} {
		data, ok := e.DataSHA256()
		assert.True(t, ok)
		assert.Equal(t, ensemble.DataSHA256(s.X, s.y), data, "Train and Merge record the training data's hash")
	}

	inMemory, err := ensemble.Merge(s.shard(t, 0, 2), s.shard(t, 1, 2))
	require.NoError(t, err)
	assert.Equal(t, want, saved(t, inMemory), "shards merged without a file round trip")
	one, err := ensemble.Merge(s.shard(t, 0, 1))
	require.NoError(t, err)
	assert.Equal(t, want, saved(t, one), "a single shard of all members")
}

func TestShardAccessors(t *testing.T) {
	s := newShardSetup(t)
	sh := s.shard(t, 1, 4)
	lo, hi := sh.Range()
	assert.Equal(t, [2]int{16, 32}, [2]int{lo, hi})
	assert.Equal(t, shardModels, sh.Models())
	assert.Equal(t, uint64(5), sh.Seed())
	assert.Equal(t, s.noise, sh.Noise())
	assert.Equal(t, 3, sh.Classes())
	assert.Equal(t, 4, sh.Dim())
	kind, config := sh.Learner()
	assert.Equal(t, "logistic", kind)
	assert.Equal(t, `{"iterations":10,"l2":0.0001}`, config)
	assert.Equal(t, ensemble.DataSHA256(s.X, s.y), sh.DataSHA256())
	whole, err := ensemble.Train(context.Background(), s.X, s.y, s.l, s.noise, s.opts...)
	require.NoError(t, err)
	data, err := whole.Models()[20].MarshalBinary()
	require.NoError(t, err)
	sum, ok := sh.MemberSHA256(20)
	assert.True(t, ok)
	assert.Equal(t, sha256.Sum256(data), sum)
	_, ok = sh.MemberSHA256(32)
	assert.False(t, ok)
	_, ok = sh.MemberSHA256(15)
	assert.False(t, ok)
}

// TestDataSHA256 checks the documented layout against testdata/gen_datasha256.py.
func TestDataSHA256(t *testing.T) {
	got := ensemble.DataSHA256([][]float64{{1, 2}, {3.5, math.Copysign(0, -1)}}, []int{0, 1, -3})
	assert.Equal(t, "ef8b6210026978fa8b7c09d094b2689310f5cfdc630dd7b9ed2c3f898a247826", hex.EncodeToString(got[:]))
	a := ensemble.DataSHA256([][]float64{{1, 2}, {3}}, nil)
	b := ensemble.DataSHA256([][]float64{{1}, {2, 3}}, nil)
	assert.NotEqual(t, a, b, "row lengths are part of the hash")
}

func TestShardRange(t *testing.T) {
	for _, c := range []struct{ n, m int }{{64, 4}, {10, 3}, {1000, 7}, {5, 5}, {1, 1}} {
		next := 0
		for i := range c.m {
			lo, hi, err := ensemble.ShardRange(c.n, i, c.m)
			require.NoError(t, err)
			assert.Equal(t, next, lo, "n = %d, shard %d of %d", c.n, i, c.m)
			assert.Contains(t, []int{c.n / c.m, c.n/c.m + 1}, hi-lo)
			next = hi
		}
		assert.Equal(t, c.n, next)
	}
	lo, hi, err := ensemble.ShardRange(10, 1, 3)
	require.NoError(t, err)
	assert.Equal(t, [2]int{3, 6}, [2]int{lo, hi}, "⌊10/3⌋ = 3, ⌊20/3⌋ = 6")
	for _, c := range []struct {
		n, i, m int
		want    string
	}{
		{0, 0, 1, "0 members"}, {5, 0, 6, "6 shards of 5 members"}, {5, 0, 0, "0 shards"},
		{5, 5, 5, "shard 5 of 5"}, {5, -1, 5, "shard -1 of 5"}, {ensemble.MaxModels + 1, 0, 1, "want 1 to"},
	} {
		_, _, err := ensemble.ShardRange(c.n, c.i, c.m)
		assert.ErrorIs(t, err, ensemble.ErrInvalidInput)
		assert.ErrorContains(t, err, c.want)
	}
}

func TestTrainShardRejectsBadInput(t *testing.T) {
	s := newShardSetup(t)
	for _, r := range [][2]int{{-1, 3}, {3, 3}, {5, 2}, {0, shardModels + 1}} {
		_, err := ensemble.TrainShard(context.Background(), s.X, s.y, s.l, s.noise, r[0], r[1], s.opts...)
		assert.ErrorIs(t, err, ensemble.ErrInvalidInput)
		assert.ErrorContains(t, err, fmt.Sprintf("members [%d, %d) of 64: want 0 ≤ lo < hi ≤ N", r[0], r[1]))
	}
	undescribed := learnerFunc(func(context.Context, [][]float64, []int, int, uint64) (ensemble.Model, error) {
		return &thresholdModel{}, nil
	})
	_, err := ensemble.TrainShard(context.Background(), s.X, s.y, undescribed, s.noise, 0, 2, s.opts...)
	assert.ErrorIs(t, err, ensemble.ErrInvalidInput)
	assert.ErrorContains(t, err, "does not implement ensemble.Describer")
	_, err = ensemble.TrainShard(context.Background(), s.X, s.y, s.l, s.noise, 0, 2, nil)
	assert.EqualError(t, err, "ensemble: TrainShard: option 0 is nil")
	_, err = ensemble.TrainShard(context.Background(), s.X[:3], s.y, s.l, s.noise, 0, 2, s.opts...)
	assert.ErrorContains(t, err, "ensemble: TrainShard: 60 labels for 3 rows")
}

// TestMergeRejects: every way shards can fail to belong together is an error naming
// the problem.
func TestMergeRejects(t *testing.T) {
	s := newShardSetup(t)
	a, b, c, d := s.shard(t, 0, 4), s.shard(t, 1, 4), s.shard(t, 2, 4), s.shard(t, 3, 4)
	half := s.shard(t, 1, 2) // [32, 64)

	other := func(edit func(o *shardSetup)) *ensemble.Shard {
		o := s
		edit(&o)
		return o.shard(t, 3, 4)
	}
	otherSeed := other(func(o *shardSetup) { o.opts = append(o.opts, ensemble.WithSeed(6)) })
	otherSigma := other(func(o *shardSetup) { o.noise = gaussian(t, 2) })
	otherLearner := other(func(o *shardSetup) {
		var err error
		o.l, err = logistic.New(logistic.WithIterations(5))
		require.NoError(t, err)
	})
	otherData := other(func(o *shardSetup) {
		o.y = append([]int(nil), o.y...)
		o.y[0] = 1
	})
	otherX := other(func(o *shardSetup) {
		o.X = append([][]float64(nil), o.X...)
		o.X[7] = []float64{0, 0, 0, 0}
	})
	otherN := func() *ensemble.Shard {
		sh, err := ensemble.TrainShard(context.Background(), s.X, s.y, s.l, s.noise, 48, 64, ensemble.WithModels(65), ensemble.WithSeed(5))
		require.NoError(t, err)
		return sh
	}()
	otherClasses := other(func(o *shardSetup) { o.opts = append(o.opts, ensemble.WithClasses(4)) })
	cases := map[string]struct {
		shards []*ensemble.Shard
		want   string
	}{
		"missing first":  {[]*ensemble.Shard{b, c, d}, "members 0 to 15 are in no shard: train and add the shard [0, 16)"},
		"missing middle": {[]*ensemble.Shard{a, b, d}, "members 32 to 47 are in no shard"},
		"missing last":   {[]*ensemble.Shard{a, b, c}, "members 48 to 63 are in no shard: train and add the shard [48, 64)"},
		"overlap":        {[]*ensemble.Shard{a, b, half, c}, "overlap on members 32 to 47"},
		"twice":          {[]*ensemble.Shard{a, b, c, d, b}, "shards 1 [16, 32) and 4 [16, 32) overlap on members 16 to 31"},
		"seed":           {[]*ensemble.Shard{a, b, c, otherSeed}, "shard 3 has seed 6, shard 0 has seed 5"},
		"sigma":          {[]*ensemble.Shard{a, b, c, otherSigma}, "shard 3 has noise N(0, 2²I), shard 0 has noise N(0, 1²I)"},
		"learner":        {[]*ensemble.Shard{a, b, c, otherLearner}, `shard 3 has learner configuration "{\"iterations\":5,\"l2\":0.0001}", shard 0 has learner configuration "{\"iterations\":10,\"l2\":0.0001}"`},
		"labels":         {[]*ensemble.Shard{a, b, c, otherData}, "shard 3 has training-data SHA-256"},
		"features":       {[]*ensemble.Shard{a, b, c, otherX}, "shard 3 has training-data SHA-256"},
		"N":              {[]*ensemble.Shard{a, b, c, otherN}, "shard 3 has N = 65 members, shard 0 has N = 64 members"},
		"classes":        {[]*ensemble.Shard{a, b, c, otherClasses}, "shard 3 has 4 classes, shard 0 has 3 classes"},
		"nil":            {[]*ensemble.Shard{a, nil}, "shard 1 is nil"},
		"none":           {nil, "no shards"},
	}
	for name, tc := range cases {
		_, err := ensemble.Merge(tc.shards...)
		assert.ErrorIs(t, err, ensemble.ErrInvalidInput, name)
		assert.ErrorContains(t, err, "ensemble: Merge: ", name)
		assert.ErrorContains(t, err, tc.want, name)
	}
	_, err := ensemble.Merge(a, b, c, d)
	require.NoError(t, err, "the four good shards merge")
}

// TestLoadShardRejectsDamagedFiles: a truncated or bit-flipped shard, a shard with a
// forged manifest, or an ensemble file is an error wrapping ErrCorrupt.
func TestLoadShardRejectsDamagedFiles(t *testing.T) {
	s := newShardSetup(t)
	data := shardBytes(t, s.shard(t, 1, 4))
	manifestLen := int(binary.LittleEndian.Uint32(data[12:]))
	membersAt := headerSize + manifestLen + 32
	assert.Equal(t, uint32(2), binary.LittleEndian.Uint32(data[8:]), "format version")
	assert.Contains(t, string(data[headerSize:headerSize+manifestLen]), `"noise":"gaussian(sigma=1)"`, "the noise's own text form")
	flip := func(i int) []byte {
		b := bytes.Clone(data)
		b[i] ^= 0x08
		return b
	}
	whole, err := ensemble.Train(context.Background(), s.X, s.y, s.l, s.noise, ensemble.WithModels(2))
	require.NoError(t, err)
	cases := map[string]struct {
		data []byte
		want string
	}{
		"empty":              {nil, "truncated"},
		"ensemble file":      {saved(t, whole), `not a rab ensemble shard (magic "RABENSMB", want "RABSHARD")`},
		"truncated header":   {data[:9], "truncated"},
		"truncated manifest": {data[:headerSize+manifestLen/2], "truncated"},
		"truncated member":   {data[:membersAt+100], "member 16: file truncated"},
		"last byte cut":      {data[:len(data)-1], "member 31: file truncated"},
		"manifest flipped":   {flip(headerSize + manifestLen/2), "manifest SHA-256 mismatch"},
		"digest flipped":     {flip(headerSize + manifestLen + 1), "manifest SHA-256 mismatch"},
		"member flipped":     {flip(membersAt + 50), "member 16: SHA-256 mismatch"},
		"last member":        {flip(len(data) - 3), "member 31: SHA-256 mismatch"},
		"version 1":          {func() []byte { b := bytes.Clone(data); b[8] = 1; return b }(), "file format version 1: this build reads version 2"},
		"version 3":          {func() []byte { b := bytes.Clone(data); b[8] = 3; return b }(), "file format version 3: this build reads version 2"},
	}
	for name, c := range cases {
		_, err := ensemble.LoadShard(bytesReader(c.data))
		if assert.Error(t, err, name) {
			assert.ErrorIs(t, err, ensemble.ErrCorrupt, name)
			assert.NotErrorIs(t, err, ensemble.ErrInvalidInput, name)
			assert.ErrorContains(t, err, "ensemble: LoadShard: ", name)
			assert.ErrorContains(t, err, c.want, name)
		}
	}
	_, err = ensemble.LoadShard(nil)
	assert.ErrorIs(t, err, ensemble.ErrInvalidInput)
	back, err := ensemble.LoadShard(bytesReader(data))
	require.NoError(t, err)
	assert.Equal(t, data, shardBytes(t, back), "Save(LoadShard(f)) reproduces f")
}

// TestLoadShardRejectsForgedManifests: manifests that hash correctly but describe an
// impossible shard.
func TestLoadShardRejectsForgedManifests(t *testing.T) {
	model, _ := (&thresholdModel{cut: 0.5, class: 1}).MarshalBinary()
	sum := sha256.Sum256(model)
	good := func() map[string]any {
		return map[string]any{
			"noise": "gaussian(sigma=0.5)", "seed": 1, "classes": 2,
			"models": 4, "lo": 2, "hi": 3, "dim": 1, "learner": map[string]any{"kind": "threshold", "config": ""},
			"dataSHA256": hex.EncodeToString(sum[:]),
			"members":    []any{map[string]any{"kind": thresholdKind, "size": len(model), "sha256": hex.EncodeToString(sum[:])}},
		}
	}
	sh, err := ensemble.LoadShard(bytesReader(forgeShard(t, good(), model)))
	require.NoError(t, err, "the forged baseline must load")
	lo, hi := sh.Range()
	assert.Equal(t, [2]int{2, 3}, [2]int{lo, hi})
	cases := map[string]struct {
		edit func(m map[string]any)
		want string
	}{
		"hi ≤ lo":       {func(m map[string]any) { m["hi"] = 2 }, "members [2, 2) of 4"},
		"hi > N":        {func(m map[string]any) { m["hi"] = 5 }, "members [2, 5) of 4"},
		"records":       {func(m map[string]any) { m["hi"] = 4 }, "with 1 member records"},
		"no models":     {func(m map[string]any) { m["models"] = 0 }, "0 models"},
		"one class":     {func(m map[string]any) { m["classes"] = 1 }, "1 classes"},
		"no dim":        {func(m map[string]any) { m["dim"] = 0 }, "input dimension 0"},
		"no learner":    {func(m map[string]any) { m["learner"] = map[string]any{"kind": ""} }, "no learner kind"},
		"data hash":     {func(m map[string]any) { m["dataSHA256"] = "abc" }, `malformed training-data SHA-256 "abc"`},
		"hex data hash": {func(m map[string]any) { m["dataSHA256"] = string(bytes.Repeat([]byte("z"), 64)) }, "malformed training-data SHA-256"},
		"bad sigma":     {func(m map[string]any) { m["noise"] = "gaussian(sigma=0)" }, "σ = 0"},
		"bad bounds":    {func(m map[string]any) { m["noise"] = "uniform(a=2,b=1)" }, "want a < b"},
		"noise text":    {func(m map[string]any) { m["noise"] = "uniform(a=0)" }, "1 parameters, want 2"},
		"no noise":      {func(m map[string]any) { delete(m, "noise") }, "no noise field"},
		"noise object":  {func(m map[string]any) { m["noise"] = map[string]any{"kind": "gaussian", "sigma": 0.5} }, "cannot unmarshal object"},
		"unknown field": {func(m map[string]any) { m["extra"] = true }, "unknown field"},
	}
	for name, c := range cases {
		man := good()
		c.edit(man)
		_, err := ensemble.LoadShard(bytesReader(forgeShard(t, man, model)))
		assert.ErrorIs(t, err, ensemble.ErrCorrupt, name)
		assert.NotErrorIs(t, err, ensemble.ErrInvalidInput, name)
		assert.ErrorContains(t, err, c.want, name)
	}
}

// forgeShard is forge with the shard magic and format version.
func forgeShard(t *testing.T, man map[string]any, body []byte) []byte {
	b := forge(t, man, body)
	copy(b, "RABSHARD")
	binary.LittleEndian.PutUint32(b[8:], 2) // the shard format's version
	return b
}

// FuzzLoadShard checks that no input makes LoadShard panic, that its errors wrap
// ErrCorrupt, and that whatever it accepts saves back to the bytes it consumed.
func FuzzLoadShard(f *testing.F) {
	s := newShardSetup(f)
	lo, hi, err := ensemble.ShardRange(shardModels, 5, 32)
	require.NoError(f, err)
	sh, err := ensemble.TrainShard(context.Background(), s.X, s.y, s.l, s.noise, lo, hi, s.opts...)
	require.NoError(f, err)
	f.Add(shardBytes(f, sh))
	f.Add([]byte("RABSHARD\x02\x00\x00\x00\x02\x00\x00\x00{}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r := bytes.NewReader(data)
		sh, err := ensemble.LoadShard(r)
		if err != nil {
			if !errors.Is(err, ensemble.ErrCorrupt) {
				t.Fatalf("LoadShard error does not wrap ErrCorrupt: %v", err)
			}
			return
		}
		if got := shardBytes(t, sh); !bytes.Equal(got, data[:len(data)-r.Len()]) {
			t.Fatalf("Save(LoadShard(f)) differs from f")
		}
	})
}

// TestShardsInSeparateProcesses trains 4 shards in 4 OS processes at once and merges
// their files: the result equals Train in this process byte for byte (member k is a
// pure function of seed, k and the data, whatever process computes it).
func TestShardsInSeparateProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts 4 processes")
	}
	s := newShardSetup(t)
	whole, err := ensemble.Train(context.Background(), s.X, s.y, s.l, s.noise, s.opts...)
	require.NoError(t, err)
	merged, _ := trainInProcesses(t, "blobs", shardModels, 4, t.TempDir())
	assert.Equal(t, saved(t, whole), saved(t, merged))
}

// Child processes of trainInProcesses train one shard each: shardChildEnv holds
// "data n i m path" (data "blobs": the shard setup, n = 64; "spambase": the
// benchmarks' Spambase split, default logistic learner, σ = 0.5, seed 0), and m = 0
// means the whole ensemble by Train, saved as an ensemble file.
const shardChildEnv = "RAB_SHARD_CHILD"

// TestShardChild is a child of trainInProcesses; it does nothing in a normal test run.
func TestShardChild(t *testing.T) {
	spec := os.Getenv(shardChildEnv)
	if spec == "" {
		t.Skip("run by trainInProcesses in a child process")
	}
	var data, path string
	var n, i, m int
	_, err := fmt.Sscanf(spec, "%s %d %d %d %s", &data, &n, &i, &m, &path)
	require.NoError(t, err)
	s := newShardSetup(t)
	if data == "spambase" {
		train, _ := spambase(t)
		s = shardSetup{X: train.X, y: train.Y, l: newLogistic(t), noise: gaussian(t, 0.5)}
	}
	opts := append(s.opts, ensemble.WithModels(n))
	f, err := os.Create(path)
	require.NoError(t, err)
	if m == 0 {
		e, err := ensemble.Train(context.Background(), s.X, s.y, s.l, s.noise, opts...)
		require.NoError(t, err)
		require.NoError(t, e.Save(f))
	} else {
		lo, hi, err := ensemble.ShardRange(n, i, m)
		require.NoError(t, err)
		sh, err := ensemble.TrainShard(context.Background(), s.X, s.y, s.l, s.noise, lo, hi, opts...)
		require.NoError(t, err)
		require.NoError(t, sh.Save(f))
	}
	require.NoError(t, f.Close())
}

// trainInProcesses trains the n members of the data's ensemble in m child processes
// at once, one shard each, in dir, and merges their shard files (m = 0: one process
// runs Train and writes the ensemble file, which is loaded). It also returns the CPU
// time (user and system) the children used.
func trainInProcesses(tb testing.TB, data string, n, m int, dir string) (*ensemble.Ensemble, time.Duration) {
	procs := max(m, 1)
	cmds := make([]*exec.Cmd, procs)
	outs := make([]bytes.Buffer, procs)
	paths := make([]string, procs)
	for i := range cmds {
		paths[i] = filepath.Join(dir, fmt.Sprintf("%s-%d-of-%d", data, i, m))
		cmds[i] = exec.Command(os.Args[0], "-test.run", "^TestShardChild$")
		cmds[i].Env = append(os.Environ(), fmt.Sprintf("%s=%s %d %d %d %s", shardChildEnv, data, n, i, m, paths[i]))
		cmds[i].Stdout, cmds[i].Stderr = &outs[i], &outs[i]
		require.NoError(tb, cmds[i].Start())
	}
	var cpu time.Duration
	for i, cmd := range cmds {
		require.NoError(tb, cmd.Wait(), "%s", outs[i].String())
		cpu += cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	}
	open := func(path string) *os.File {
		f, err := os.Open(path)
		require.NoError(tb, err)
		tb.Cleanup(func() { f.Close() })
		return f
	}
	if m == 0 {
		e, err := ensemble.Load(bufio.NewReader(open(paths[0])))
		require.NoError(tb, err)
		return e, cpu
	}
	shards := make([]*ensemble.Shard, m)
	for i, path := range paths {
		var err error
		shards[i], err = ensemble.LoadShard(bufio.NewReader(open(path)))
		require.NoError(tb, err)
	}
	e, err := ensemble.Merge(shards...)
	require.NoError(tb, err)
	return e, cpu
}

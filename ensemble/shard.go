package ensemble

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"slices"

	"github.com/rabcert/rab/internal/datahash"
	"github.com/rabcert/rab/internal/errs"
	"github.com/rabcert/rab/smoothing"
)

// Describer is implemented by base learners that can state their configuration.
// TrainShard requires it, and records the description in the shard, so that Merge
// can refuse shards trained by different learners or with different settings.
type Describer interface {
	// Describe returns the learner's kind (e.g. "logistic") and a canonical encoding of
	// every setting that affects Fit's result: equal settings give equal strings on
	// every machine, different settings different strings.
	Describe() (kind, config string)
}

// A Shard holds the members lo … hi−1 of an ensemble of N, trained by TrainShard, with
// everything Merge needs to check that shards belong together: N, lo, hi, the seed,
// the noise, the number of classes, the input dimension, the learner's kind and
// configuration (Describer), the SHA-256 of the training data (DataSHA256) and of
// every member. Save writes it to a shard file and LoadShard reads it back.
//
// Member k is a pure function of (seed, k, data, learner): any machine that trains
// shard [lo, hi) with the same inputs gets the same bytes, so the members of one
// ensemble can be trained on many machines (e.g. a Kubernetes Indexed Job or a Slurm
// job array, one process per shard) and merged:
//
//	// worker i of m (ShardRange splits N members into m near-equal ranges):
//	lo, hi, err := ensemble.ShardRange(n, i, m)
//	sh, err := ensemble.TrainShard(ctx, X, y, learner, noise, lo, hi, ensemble.WithModels(n), ensemble.WithSeed(seed))
//	err = sh.Save(file)
//
//	// then, once every shard file is written:
//	sh0, err := ensemble.LoadShard(file0) // … one per file
//	e, err := ensemble.Merge(sh0, sh1, …)
//
// e is then bit-identical to ensemble.Train with the same inputs and options: its
// members, u_k and Save output are the same.
type Shard struct {
	s            *shared // the members lo … hi−1, s.members[k−lo] being member k
	n, lo, hi    int
	kind, config string // the learner's Describe
}

// ShardRange returns the members [lo, hi) of shard i (0 ≤ i < m) when the n members of
// an ensemble are split into m shards of near-equal size: lo = ⌊i·n/m⌋ and
// hi = ⌊(i+1)·n/m⌋, so the shards 0 … m−1 cover 0 … n−1 exactly once and differ in
// size by at most one. It needs 1 ≤ m ≤ n ≤ MaxModels; a command-line
// "-shard i/m" flag maps onto it directly.
func ShardRange(n, i, m int) (lo, hi int, err error) {
	switch {
	case n < 1 || n > MaxModels:
		return 0, 0, errs.Invalid("ensemble: ShardRange: %d members: want 1 to %d", n, MaxModels)
	case m < 1 || m > n:
		return 0, 0, errs.Invalid("ensemble: ShardRange: %d shards of %d members: want 1 to %d shards", m, n, n)
	case i < 0 || i >= m:
		return 0, 0, errs.Invalid("ensemble: ShardRange: shard %d of %d: want 0 ≤ i < %d", i, m, m)
	}
	return i * n / m, (i + 1) * n / m, nil
}

// TrainShard trains the members lo … hi−1 (0 ≤ lo < hi ≤ N) of the ensemble that Train
// would build from the same arguments and options, N being WithModels (default
// DefaultModels), by the same recipe and with the same checks (see Train); WithProgress
// counts the shard's hi − lo members. The learner must implement Describer. Give every
// shard the same X, y, learner, noise and options: Merge rejects shards whose N, seed,
// noise, classes, learner description or data hash differ. Pass WithClasses unless
// every shard's labels include the highest class (they do when every shard trains on
// the same y, which DataSHA256 checks).
func TrainShard(ctx context.Context, X [][]float64, y []int, learner BaseLearner, noise smoothing.Noise, lo, hi int, opts ...Option) (*Shard, error) {
	cfg, err := newConfig("TrainShard", opts)
	if err != nil {
		return nil, err
	}
	if lo < 0 || hi <= lo || hi > cfg.models {
		return nil, errs.Invalid("ensemble: TrainShard: members [%d, %d) of %d: want 0 ≤ lo < hi ≤ N (WithModels); ShardRange computes them", lo, hi, cfg.models)
	}
	desc, ok := learner.(Describer)
	if !ok {
		return nil, errs.Invalid("ensemble: TrainShard: learner %T does not implement ensemble.Describer: Merge could not check that all shards were trained with the same settings", learner)
	}
	kind, config := desc.Describe()
	if kind == "" {
		return nil, errs.Invalid("ensemble: TrainShard: learner %T describes itself with an empty kind", learner)
	}
	s, err := trainMembers(ctx, "TrainShard", X, y, learner, noise, cfg, lo, hi)
	if err != nil {
		return nil, err
	}
	return &Shard{s: s, n: cfg.models, lo: lo, hi: hi, kind: kind, config: config}, nil
}

// DataSHA256 returns the SHA-256 that shards record of their training data: of the
// domain string "rab/ensemble.DataSHA256/v1", then, all little-endian, the number of
// rows as a uint64, each row as its length (uint64) followed by its values' IEEE 754
// bits (uint64 each), the number of labels (uint64) and each label as an int64.
// knn.Smoother.DataSHA256 and rab.Model.DataSHA256 report the same hash of the same
// data.
func DataSHA256(X [][]float64, y []int) [sha256.Size]byte { return datahash.Sum(X, y) }

// state returns the shard's state, or empty for a zero Shard.
func (sh *Shard) state() *shared {
	if sh.s == nil {
		return empty
	}
	return sh.s
}

// Models returns N, the size of the ensemble the shard belongs to.
func (sh *Shard) Models() int { return sh.n }

// Range returns the members [lo, hi) the shard holds.
func (sh *Shard) Range() (lo, hi int) { return sh.lo, sh.hi }

// Seed returns the seed the members were trained with.
func (sh *Shard) Seed() uint64 { return sh.state().seed }

// Noise returns the smoothing noise of training and of u_k.
func (sh *Shard) Noise() smoothing.Noise { return sh.state().noise }

// Classes returns the number of classes C.
func (sh *Shard) Classes() int { return sh.state().classes }

// Dim returns the input dimension d.
func (sh *Shard) Dim() int { return sh.state().dim }

// Learner returns the learner's kind and configuration (see Describer).
func (sh *Shard) Learner() (kind, config string) { return sh.kind, sh.config }

// DataSHA256 returns the SHA-256 of the training data (see the function DataSHA256).
func (sh *Shard) DataSHA256() [sha256.Size]byte { return sh.state().data }

// MemberSHA256 returns the SHA-256 of member k's bytes, for lo ≤ k < hi; ok is false
// for any other k.
func (sh *Shard) MemberSHA256(k int) (sum [sha256.Size]byte, ok bool) {
	if k < sh.lo || k >= sh.hi {
		return sum, false
	}
	return sh.state().members[k-sh.lo].digest, true
}

// Merge combines shards into one Ensemble: the shards must agree on N, seed, noise,
// classes, input dimension, learner kind and configuration and training-data hash, and
// cover the members 0 … N−1 exactly once, in any order. Merge re-marshals every member
// and checks it against its recorded SHA-256, and rejects identical members across
// shards. The result is bit-identical to ensemble.Train with the same inputs and
// options (same members, same u_k, same Save output); it shares the shards' members
// and votes on GOMAXPROCS workers (see WithVoteWorkers). Every error wraps
// ErrInvalidInput and names the shards (by their position in the arguments) and what
// is wrong. The Ensemble records the shards' training-data SHA-256 (see
// Ensemble.DataSHA256), as Train's does.
func Merge(shards ...*Shard) (*Ensemble, error) {
	if len(shards) == 0 {
		return nil, errs.Invalid("ensemble: Merge: no shards")
	}
	for i, sh := range shards {
		if sh == nil || sh.s == nil {
			return nil, errs.Invalid("ensemble: Merge: shard %d is nil or zero: build shards with TrainShard or LoadShard", i)
		}
		if got, want, ok := agree(shards[0], sh); !ok {
			return nil, errs.Invalid("ensemble: Merge: shard %d has %s, shard 0 has %s: all shards of one ensemble must be trained with the same data, learner, noise and options", i, got, want)
		}
	}
	order, err := cover(shards)
	if err != nil {
		return nil, errs.Invalid("ensemble: Merge: %w", err)
	}
	first := shards[0].s
	s := &shared{noise: first.noise, classes: first.classes, seed: first.seed, dim: first.dim, members: make([]*member, 0, shards[0].n),
		data: first.data, hasData: true}
	for _, i := range order {
		s.members = append(s.members, shards[i].s.members...)
	}
	var buf []byte
	for k, m := range s.members {
		if buf, err = m.write(io.Discard, buf); err != nil {
			return nil, errs.Invalid("ensemble: Merge: member %d: %w", k, err)
		}
	}
	if err := s.checkDistinct(); err != nil {
		return nil, errs.Invalid("ensemble: Merge: %w", err)
	}
	return &Ensemble{s: s, testNoise: true}, nil
}

// agree reports whether sh agrees with ref on everything but its range; if not, got
// and want describe the first field that differs, on sh and on ref ("seed 5").
func agree(ref, sh *Shard) (got, want string, ok bool) {
	fields := []struct {
		what     string
		got, ref any
	}{
		{"N = %v members", sh.n, ref.n},
		{"seed %v", sh.s.seed, ref.s.seed},
		{"noise %v", sh.s.noise, ref.s.noise},
		{"%v classes", sh.s.classes, ref.s.classes},
		{"input dimension %v", sh.s.dim, ref.s.dim},
		{"learner kind %q", sh.kind, ref.kind},
		{"learner configuration %q", sh.config, ref.config},
		{"training-data SHA-256 %x", sh.s.data, ref.s.data},
	}
	for _, f := range fields {
		if f.got != f.ref {
			return fmt.Sprintf(f.what, f.got), fmt.Sprintf(f.what, f.ref), false
		}
	}
	return "", "", true
}

// cover checks that the shards' ranges cover 0 … N−1 exactly once and returns the
// shards' indices in order of their ranges.
func cover(shards []*Shard) ([]int, error) {
	order := make([]int, len(shards))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return shards[a].lo - shards[b].lo })
	next, prev := 0, -1 // first member not yet covered; the shard that covers next−1
	for _, i := range order {
		sh := shards[i]
		switch {
		case sh.lo > next:
			return nil, fmt.Errorf("members %d to %d are in no shard: train and add the shard [%d, %d)", next, sh.lo-1, next, sh.lo)
		case sh.lo < next:
			return nil, fmt.Errorf("shards %d [%d, %d) and %d [%d, %d) overlap on members %d to %d: each member must come from exactly one shard", prev, shards[prev].lo, shards[prev].hi, i, sh.lo, sh.hi, sh.lo, min(next, sh.hi)-1)
		}
		next, prev = sh.hi, i
	}
	if n := shards[0].n; next < n {
		return nil, fmt.Errorf("members %d to %d are in no shard: train and add the shard [%d, %d)", next, n-1, next, n)
	}
	return order, nil
}

// Shard file format, version 2: magic "RABSHARD", then the shard manifest below, then
// the members' bytes (see container). Version 2 records the noise in its text form
// ("noise":"gaussian(sigma=0.5)"), as ensemble files do; version 1 is no longer read.
const (
	shardMagic   = "RABSHARD"
	shardVersion = 2
)

// shardManifest describes a saved Shard.
type shardManifest struct {
	Noise      smoothing.Noise `json:"noise"` // its MarshalText form
	Seed       uint64          `json:"seed"`
	Classes    int             `json:"classes"`
	Models     int             `json:"models"` // N, the ensemble's size
	Lo         int             `json:"lo"`
	Hi         int             `json:"hi"`
	Dim        int             `json:"dim"`
	Learner    learnerSpec     `json:"learner"`
	DataSHA256 string          `json:"dataSHA256"`
	Members    []memberRecord  `json:"members"` // members lo … hi−1
}

type learnerSpec struct {
	Kind   string `json:"kind"`
	Config string `json:"config"`
}

// Save writes the shard to w in one stream, in the layout of Ensemble.Save with magic
// "RABSHARD": a manifest (N, lo, hi, seed, the noise's text form, classes, input dimension, learner kind
// and configuration, training-data SHA-256, and each member's kind, size and SHA-256)
// protected by its SHA-256, followed by the members' bytes. Every member must implement
// Kinded. As for Ensemble.Save, the hashes detect corruption, not forgery.
func (sh *Shard) Save(w io.Writer) error {
	if sh.s == nil {
		return errs.Invalid("ensemble: Shard.Save: zero Shard: build one with TrainShard or LoadShard")
	}
	if w == nil {
		return errs.Invalid("ensemble: Shard.Save: nil writer")
	}
	man := shardManifest{
		Noise: sh.s.noise, Seed: sh.s.seed, Classes: sh.s.classes, Models: sh.n, Lo: sh.lo, Hi: sh.hi,
		Dim: sh.s.dim, Learner: learnerSpec{Kind: sh.kind, Config: sh.config}, DataSHA256: hex.EncodeToString(sh.s.data[:]),
	}
	var err error
	if man.Members, err = records(sh.s.members, sh.lo); err != nil {
		return errs.Invalid("ensemble: Shard.Save: %w", err)
	}
	if err := writeContainer(w, shardMagic, shardVersion, man, sh.s.members, sh.lo); err != nil {
		return fmt.Errorf("ensemble: Shard.Save: %w", err)
	}
	return nil
}

// LoadShard reads a Shard written by Shard.Save, verifying the manifest's and every
// member's SHA-256 and decoding the members as Load does. Like Load it reads exactly
// the saved bytes, and a truncated, bit-flipped or otherwise malformed shard is an
// error wrapping ErrCorrupt.
func LoadShard(r io.Reader) (*Shard, error) {
	if r == nil {
		return nil, errs.Invalid("ensemble: LoadShard: nil reader")
	}
	var man shardManifest
	if err := readManifest(r, shardMagic, shardVersion, "rab ensemble shard", &man); err != nil {
		return nil, fmt.Errorf("ensemble: LoadShard: %w", err)
	}
	data, err := man.check()
	if err != nil {
		return nil, errs.Corrupt("ensemble: LoadShard: manifest: %w", err)
	}
	s, err := readShared(r, man.Noise, man.Members, man.Lo, man.Classes, man.Seed, man.Dim)
	if err != nil {
		return nil, fmt.Errorf("ensemble: LoadShard: %w", err)
	}
	s.data, s.hasData = data, true
	return &Shard{s: s, n: man.Models, lo: man.Lo, hi: man.Hi, kind: man.Learner.Kind, config: man.Learner.Config}, nil
}

// check validates the manifest and returns the decoded training-data hash.
func (man *shardManifest) check() (data [sha256.Size]byte, err error) {
	switch {
	case man.Models < 1 || man.Models > MaxModels:
		return data, errs.Corrupt("%d models: want 1 to %d", man.Models, MaxModels)
	case man.Lo < 0 || man.Hi <= man.Lo || man.Hi > man.Models || len(man.Members) != man.Hi-man.Lo:
		return data, errs.Corrupt("members [%d, %d) of %d with %d member records: want 0 ≤ lo < hi ≤ N, one record each", man.Lo, man.Hi, man.Models, len(man.Members))
	case man.Classes < 2 || man.Classes > MaxClasses:
		return data, errs.Corrupt("%d classes: want 2 to %d", man.Classes, MaxClasses)
	case man.Dim < 1 || man.Dim > maxDim:
		return data, errs.Corrupt("input dimension %d outside [1, %d]", man.Dim, maxDim)
	case man.Learner.Kind == "":
		return data, errs.Corrupt("no learner kind")
	}
	if err := checkNoise(man.Noise); err != nil {
		return data, err
	}
	if data, err = decodeDataSHA256(man.DataSHA256); err != nil {
		return data, err
	}
	return data, checkRecords(man.Members, man.Lo)
}

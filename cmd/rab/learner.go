package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/rabcert/rab/ensemble"
	"github.com/rabcert/rab/ensemble/gorgonia"
	"github.com/rabcert/rab/ensemble/logistic"
	_ "github.com/rabcert/rab/ensemble/onnx" // registers the decoder of ONNX members, for merge, certify and inspect
)

// learners names the base learners of -learner, default first.
var learners = []string{"logistic", "mlp", "cnn"}

// learnerFlags are the flags that choose and configure an ensemble's base learner.
type learnerFlags struct {
	name       string
	iterations int
	l2         float64
	epochs     int
	batchSize  int
	rate       float64
	hidden     intList
	filters    intList
	image      imageShape
}

// learnerSettings lists each learner setting's flag and the learners it configures.
var learnerSettings = []struct {
	flag     string
	learners []string
}{
	{"iterations", []string{"logistic"}},
	{"l2", []string{"logistic"}},
	{"epochs", []string{"mlp", "cnn"}},
	{"batch", []string{"mlp", "cnn"}},
	{"lr", []string{"mlp", "cnn"}},
	{"hidden", []string{"mlp", "cnn"}},
	{"filters", []string{"cnn"}},
	{"image", []string{"cnn"}},
}

func (l *learnerFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&l.name, "learner", learners[0], "base `learner` of the ensemble: "+strings.Join(learners, ", "))
	fs.IntVar(&l.iterations, "iterations", logistic.DefaultIterations, "logistic: most L-BFGS iterations per member")
	fs.Float64Var(&l.l2, "l2", logistic.DefaultL2, "logistic: L2 penalty λ on the standardised weights")
	fs.IntVar(&l.epochs, "epochs", gorgonia.DefaultEpochs, "mlp, cnn: training epochs per member")
	fs.IntVar(&l.batchSize, "batch", gorgonia.DefaultBatchSize, "mlp, cnn: minibatch size")
	fs.Float64Var(&l.rate, "lr", gorgonia.DefaultLearningRate, "mlp, cnn: learning rate of Adam")
	fs.Var(&l.hidden, "hidden", fmt.Sprintf("mlp, cnn: `widths` of the hidden layers, comma-separated, empty for none (default %d for mlp, none for cnn)", gorgonia.DefaultMLPHidden))
	fs.Var(&l.filters, "filters", fmt.Sprintf("cnn: `filters` of each 3×3 convolution block, comma-separated (default %d)", gorgonia.DefaultCNNFilters))
	fs.Var(&l.image, "image", "cnn: `HxWxC`, the image shape of the rows (row-major, channel-last), e.g. 28x28x1; required")
}

// check rejects settings of another learner than the chosen one; set holds the
// names of the flags given.
func (l *learnerFlags) check(set map[string]bool) error {
	if !slices.Contains(learners, l.name) {
		return usagef("-learner %q: want one of %s", l.name, strings.Join(learners, ", "))
	}
	for _, s := range learnerSettings {
		if set[s.flag] && !slices.Contains(s.learners, l.name) {
			return usagef("-%s configures the %s learner, not -learner %s", s.flag, strings.Join(s.learners, " and "), l.name)
		}
	}
	if l.name == "cnn" && !set["image"] {
		return usagef("-learner cnn needs -image HxWxC, the shape of the images the rows hold")
	}
	return nil
}

// build returns the learner the flags describe; set holds the names of the flags
// given.
func (l *learnerFlags) build(set map[string]bool) (ensemble.BaseLearner, error) {
	if l.name == "logistic" {
		return logistic.New(logistic.WithIterations(l.iterations), logistic.WithL2(l.l2))
	}
	cfg := netConfig{Epochs: l.epochs, BatchSize: l.batchSize, LearningRate: l.rate, Optimizer: gorgonia.Adam.String(), Hidden: []int{gorgonia.DefaultMLPHidden}}
	opts := []gorgonia.Option{gorgonia.WithEpochs(l.epochs), gorgonia.WithBatchSize(l.batchSize), gorgonia.WithLearningRate(l.rate)}
	if l.name == "cnn" {
		cfg.Hidden, cfg.Filters, cfg.Image = []int{}, []int{gorgonia.DefaultCNNFilters}, &l.image
	}
	if set["hidden"] {
		cfg.Hidden = l.hidden
	}
	if set["filters"] {
		cfg.Filters = l.filters
	}
	opts = append(opts, gorgonia.WithHidden(cfg.Hidden...))
	newNet, kind := gorgonia.NewMLP, gorgonia.KindMLP
	if l.name == "cnn" {
		opts = append(opts, gorgonia.WithFilters(cfg.Filters...), gorgonia.WithImageShape(l.image[0], l.image[1], l.image[2]))
		newNet, kind = gorgonia.NewCNN, gorgonia.KindCNN
	}
	net, err := newNet(opts...)
	if err != nil {
		return nil, err
	}
	config, err := json.Marshal(cfg)
	if err != nil {
		return nil, err
	}
	return describedLearner{BaseLearner: net, kind: kind, config: string(config)}, nil
}

// netConfig is every setting of a Gorgonia network learner, defaults resolved: the
// configuration its shards record.
type netConfig struct {
	Epochs       int         `json:"epochs"`
	BatchSize    int         `json:"batchSize"`
	LearningRate float64     `json:"learningRate"`
	Optimizer    string      `json:"optimizer"`
	Hidden       []int       `json:"hidden"`
	Filters      []int       `json:"filters,omitempty"`
	Image        *imageShape `json:"image,omitempty"`
}

// describedLearner gives a learner that does not describe itself (package
// ensemble/gorgonia's) the ensemble.Describer that TrainShard needs, from the flags
// that configured it.
type describedLearner struct {
	ensemble.BaseLearner
	kind, config string
}

func (d describedLearner) Describe() (kind, config string) { return d.kind, d.config }

// intList is a flag of comma-separated positive integers.
type intList []int

func (l *intList) String() string {
	parts := make([]string, len(*l))
	for i, v := range *l {
		parts[i] = strconv.Itoa(v)
	}
	return strings.Join(parts, ",")
}

func (l *intList) Set(s string) error {
	*l = []int{}
	if s == "" {
		return nil
	}
	for part := range strings.SplitSeq(s, ",") {
		v, err := strconv.Atoi(strings.TrimSpace(part))
		if err != nil || v < 1 {
			return fmt.Errorf("%q: want positive integers separated by commas", s)
		}
		*l = append(*l, v)
	}
	return nil
}

// imageShape is a flag HxWxC: height, width, channels.
type imageShape [3]int

func (s *imageShape) String() string {
	if *s == (imageShape{}) {
		return ""
	}
	return fmt.Sprintf("%dx%dx%d", s[0], s[1], s[2])
}

func (s *imageShape) Set(v string) error {
	parts := strings.Split(v, "x")
	if len(parts) != 3 {
		return fmt.Errorf("%q: want HxWxC, e.g. 28x28x1", v)
	}
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 {
			return fmt.Errorf("%q: want HxWxC with positive integers, e.g. 28x28x1", v)
		}
		s[i] = n
	}
	return nil
}

// MarshalJSON writes the shape as [h, w, c].
func (s imageShape) MarshalJSON() ([]byte, error) { return json.Marshal([3]int(s)) }

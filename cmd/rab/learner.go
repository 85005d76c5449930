package main

import (
	"flag"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/rabcert/rab/ensemble"
	"github.com/rabcert/rab/ensemble/cnn"
	"github.com/rabcert/rab/ensemble/gorgonia"
	"github.com/rabcert/rab/ensemble/logistic"
	_ "github.com/rabcert/rab/ensemble/onnx" // registers the decoder of ONNX members, for merge, certify and inspect
)

// learners names the base learners of -learner, default first.
var learners = []string{"logistic", "mlp", "cnn"}

// learnerFlags are the flags that choose and configure an ensemble's base learner.
// The settings of the networks default to their package's defaults, which differ
// between mlp and cnn.
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
	kernel     int
	padding    int
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
	{"kernel", []string{"cnn"}},
	{"padding", []string{"cnn"}},
}

func (l *learnerFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&l.name, "learner", learners[0], "base `learner` of the ensemble: logistic (multinomial logistic regression), mlp (a Gorgonia perceptron) or cnn (a convolutional network, package ensemble/cnn)")
	fs.IntVar(&l.iterations, "iterations", logistic.DefaultIterations, "logistic: most L-BFGS iterations per member")
	fs.Float64Var(&l.l2, "l2", logistic.DefaultL2, "logistic: L2 penalty λ on the standardised weights")
	fs.IntVar(&l.epochs, "epochs", 0, fmt.Sprintf("mlp, cnn: training epochs per member (default %d for mlp, %d for cnn)", gorgonia.DefaultEpochs, cnn.DefaultEpochs))
	fs.IntVar(&l.batchSize, "batch", 0, fmt.Sprintf("mlp, cnn: minibatch size (default %d for mlp, %d for cnn)", gorgonia.DefaultBatchSize, cnn.DefaultBatchSize))
	fs.Float64Var(&l.rate, "lr", 0, fmt.Sprintf("mlp, cnn: learning rate of Adam (default %v for mlp, %v for cnn)", gorgonia.DefaultLearningRate, cnn.DefaultLearningRate))
	fs.Var(&l.hidden, "hidden", fmt.Sprintf("mlp, cnn: `widths` of the hidden fully connected layers, comma-separated, empty for none (default %d for mlp, %v for cnn)", gorgonia.DefaultMLPHidden, (*intList)(ptr(cnn.DefaultHidden()))))
	fs.Var(&l.filters, "filters", fmt.Sprintf("cnn: `filters` of each convolution block, comma-separated (default %v)", (*intList)(ptr(cnn.DefaultFilters()))))
	fs.Var(&l.image, "image", "cnn: `HxWxC`, the image shape of the rows (row-major, channel-last), e.g. 28x28x1; required")
	fs.IntVar(&l.kernel, "kernel", cnn.DefaultKernel, "cnn: side k of the k×k convolution kernels")
	fs.IntVar(&l.padding, "padding", cnn.DefaultPadding, "cnn: zero padding on every side of each convolution's input")
}

func ptr[T any](v T) *T { return &v }

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
	switch l.name {
	case "logistic":
		return logistic.New(logistic.WithIterations(l.iterations), logistic.WithL2(l.l2))
	case "mlp":
		return l.buildMLP(set)
	}
	return l.buildCNN(set)
}

// netTraining holds the training settings of a network learner, every default
// resolved.
type netTraining struct {
	epochs, batchSize int
	rate              float64
	hidden            []int
}

// training returns the training settings of a network learner: the flags given, else
// the defaults.
func (l *learnerFlags) training(set map[string]bool, epochs, batchSize int, rate float64, hidden []int) netTraining {
	t := netTraining{epochs: epochs, batchSize: batchSize, rate: rate, hidden: hidden}
	if set["epochs"] {
		t.epochs = l.epochs
	}
	if set["batch"] {
		t.batchSize = l.batchSize
	}
	if set["lr"] {
		t.rate = l.rate
	}
	if set["hidden"] {
		t.hidden = l.hidden
	}
	return t
}

// buildMLP returns package ensemble/gorgonia's perceptron learner. Its Describe,
// which shards record, is the library's own: a shard trained with ensemble.TrainShard
// and the same settings merges with the command's.
func (l *learnerFlags) buildMLP(set map[string]bool) (ensemble.BaseLearner, error) {
	t := l.training(set, gorgonia.DefaultEpochs, gorgonia.DefaultBatchSize, gorgonia.DefaultLearningRate, []int{gorgonia.DefaultMLPHidden})
	net, err := gorgonia.NewMLP(gorgonia.WithEpochs(t.epochs), gorgonia.WithBatchSize(t.batchSize),
		gorgonia.WithLearningRate(t.rate), gorgonia.WithOptimizer(gorgonia.Adam), gorgonia.WithHidden(t.hidden...))
	if err != nil {
		return nil, err
	}
	return net, nil
}

// buildCNN returns package ensemble/cnn's convolutional learner, described by the
// library as buildMLP's is.
func (l *learnerFlags) buildCNN(set map[string]bool) (ensemble.BaseLearner, error) {
	t := l.training(set, cnn.DefaultEpochs, cnn.DefaultBatchSize, cnn.DefaultLearningRate, cnn.DefaultHidden())
	filters := cnn.DefaultFilters()
	if set["filters"] {
		filters = l.filters
	}
	net, err := cnn.New(cnn.WithImageShape(l.image[0], l.image[1], l.image[2]), cnn.WithKernel(l.kernel), cnn.WithPadding(l.padding),
		cnn.WithFilters(filters...), cnn.WithHidden(t.hidden...), cnn.WithEpochs(t.epochs), cnn.WithBatchSize(t.batchSize),
		cnn.WithLearningRate(t.rate), cnn.WithOptimizer(cnn.Adam))
	if err != nil {
		return nil, err
	}
	return net, nil
}

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

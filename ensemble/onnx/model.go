package onnx

import (
	"encoding"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"

	onnxgo "github.com/owulveryck/onnx-go"
	"github.com/owulveryck/onnx-go/backend/x/gorgonnx"
	"gorgonia.org/tensor"

	"github.com/rabcert/rab/ensemble"
	"github.com/rabcert/rab/internal/errs"
)

// Kind is the model kind under which ensemble.Save records ONNX members and under which
// this package registers its decoder with ensemble.RegisterDecoder.
const Kind = "onnx"

func init() {
	ensemble.RegisterDecoder(Kind, func(data []byte) (ensemble.Model, error) {
		m, err := Load(data)
		if err != nil {
			return nil, err
		}
		return m, nil
	})
}

var (
	_ encoding.BinaryAppender = (*Model)(nil)
	_ ensemble.Model          = (*Model)(nil)
	_ ensemble.Kinded         = (*Model)(nil)
	_ ensemble.Dimensioned    = (*Model)(nil)
)

// buildMu serialises graph construction: onnx-go's gorgonnx backend names graph nodes
// from an unsynchronised package-level counter while it builds a graph (by default
// during the graph's first Run). Load builds the graph under buildMu; runs touch no
// shared state.
var buildMu sync.Mutex

// Model is a classifier loaded from an ONNX file and run by onnx-go's gorgonnx backend.
// It implements ensemble.Model, ensemble.Kinded and ensemble.Dimensioned.
//
// A Model is not safe for concurrent use: load one Model per goroutine.
type Model struct {
	data    []byte
	sig     signature
	graph   *gorgonnx.Graph
	model   *onnxgo.Model
	input   onnxgo.DataCarrier
	batch   []float32     // sig.batch rows; row 0 holds the row being evaluated, the rest zeros
	inputT  tensor.Tensor // view of batch with the model's input shape
	outputs []float64     // scratch for Predict
}

// Load builds a Model from the bytes of an ONNX file. It rejects, with an error saying
// why, models that are not classifiers of the form [batch, d1, …] → [batch, classes],
// that use an operator, attribute or opset outside what is supported (see the package
// documentation), or that onnx-go fails to build and run on a zero input. Every such
// error wraps ensemble.ErrCorrupt: the bytes cannot be decoded into a supported model.
// Load does not keep data: the Model holds a copy.
func Load(data []byte) (*Model, error) {
	m, err := load(data)
	if err != nil {
		return nil, errs.Corrupt("onnx: %w", err)
	}
	return m, nil
}

// load is Load without the package prefix on errors.
func load(data []byte) (*Model, error) {
	if len(data) == 0 {
		return nil, errors.New("empty model data")
	}
	info, err := parseModel(data)
	if err != nil {
		return nil, fmt.Errorf("model is not a valid ONNX protobuf: %w", err)
	}
	sig, err := checkModel(info)
	if err != nil {
		return nil, fmt.Errorf("unsupported model: %w", err)
	}
	return build(data, sig)
}

// build makes a Model of a checked model and its signature: it decodes the model into a
// gorgonnx graph for the batch size sig.batch, attaches a directVM to it and runs it once
// on zeros to check the output shape.
func build(data []byte, sig *signature) (*Model, error) {
	m := &Model{
		data:    append([]byte(nil), data...),
		sig:     *sig,
		batch:   make([]float32, sig.batch*sig.inputDim),
		outputs: make([]float64, sig.classes),
	}
	shape := append([]int{sig.batch}, sig.inputShape...)
	m.inputT = tensor.New(tensor.WithShape(shape...), tensor.WithBacking(m.batch))
	if err := m.buildGraph(); err != nil {
		return nil, fmt.Errorf("onnx-go cannot run the model: %w", err)
	}
	return m, nil
}

// buildGraph is the part of build that calls onnx-go.
func (m *Model) buildGraph() (err error) {
	buildMu.Lock()
	defer buildMu.Unlock()
	defer recoverInto(&err)
	m.graph = gorgonnx.NewGraph()
	m.model = onnxgo.NewModel(m.graph)
	if err := m.model.UnmarshalBinary(m.data); err != nil {
		return err
	}
	node, ok := m.model.GetNodeByName(m.sig.input)
	if !ok {
		return fmt.Errorf("input %q not found in the decoded graph", m.sig.input)
	}
	if m.input, ok = node.(onnxgo.DataCarrier); !ok {
		return fmt.Errorf("input %q cannot hold data", m.sig.input)
	}
	if err := m.input.SetTensor(m.inputT); err != nil {
		return err
	}
	if err := m.graph.PopulateExprgraph(); err != nil {
		return err
	}
	exprGraph, err := m.graph.GetExprGraph()
	if err != nil {
		return err
	}
	vm, err := newDirectVM(exprGraph)
	if err != nil {
		return err
	}
	m.graph.SetVM(vm)
	out, err := m.run()
	if err != nil {
		return err
	}
	if want := []int{m.sig.batch, m.sig.classes}; !out.Shape().Eq(tensor.Shape(want)) {
		return fmt.Errorf("output has shape %v, want %v (batch, classes)", out.Shape(), want)
	}
	return nil
}

// run evaluates the graph on m.batch and returns the output tensor.
func (m *Model) run() (out tensor.Tensor, err error) {
	defer recoverInto(&err)
	if err := m.input.SetTensor(m.inputT); err != nil {
		return nil, err
	}
	if err := m.graph.Run(); err != nil {
		return nil, err
	}
	outs, err := m.model.GetOutputTensors()
	if err != nil {
		return nil, err
	}
	if len(outs) != 1 || outs[0] == nil {
		return nil, errors.New("model produced no output")
	}
	if _, ok := outs[0].Data().([]float32); !ok {
		return nil, fmt.Errorf("output holds %T, want []float32", outs[0].Data())
	}
	return outs[0], nil
}

// recoverInto turns a panic inside onnx-go or Gorgonia into an error.
func recoverInto(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("onnx-go panicked: %v", r)
	}
}

// InputDim returns the number of features per input row: the product of the input's
// declared dimensions after the batch dimension (C·H·W for an image model, whose rows
// are read in C, H, W order).
func (m *Model) InputDim() int { return m.sig.inputDim }

// Classes returns the number of classes: the declared width of the model's output.
func (m *Model) Classes() int { return m.sig.classes }

// Kind returns "onnx", the kind ensemble.Load uses to pick this package's decoder.
func (m *Model) Kind() string { return Kind }

// MarshalBinary returns a copy of the ONNX bytes the model was loaded from.
func (m *Model) MarshalBinary() ([]byte, error) {
	return m.AppendBinary(nil)
}

// AppendBinary appends the ONNX bytes the model was loaded from to b. It implements
// encoding.BinaryAppender.
func (m *Model) AppendBinary(b []byte) ([]byte, error) {
	return append(b, m.data...), nil
}

// Scores evaluates the model on one row x (len(x) == InputDim()) and writes its raw
// output, one score per class (logits or probabilities, whatever the model outputs),
// into scores (len(scores) == Classes()). The row is rounded to float32, the model's
// element type. It returns an error wrapping ensemble.ErrInvalidInput if x or the
// output holds NaN or ±Inf (an *ensemble.InputError naming the feature for x).
func (m *Model) Scores(x []float64, scores []float64) error {
	if len(scores) != m.sig.classes {
		return errs.Invalid("onnx: scores has length %d, want Classes() = %d", len(scores), m.sig.classes)
	}
	if err := m.scores(-1, x, scores); err != nil {
		return fmt.Errorf("onnx: %w", err)
	}
	return nil
}

// scores is Scores without the check of len(scores), for x = X[row] (row −1: a lone
// input). Its errors wrap errs.ErrInvalidInput, located at the row and feature.
func (m *Model) scores(row int, x []float64, scores []float64) error {
	if len(x) != m.sig.inputDim {
		return errs.At(row, -1, "input row has %d features, the model's input %q takes %d", len(x), m.sig.input, m.sig.inputDim)
	}
	for i, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return errs.At(row, i, "input feature %d is %v", i, v)
		}
		m.batch[i] = float32(v)
	}
	out, err := m.run()
	if err != nil {
		return errs.At(row, -1, "running the model: %v", err)
	}
	for j, v := range out.Data().([]float32)[:m.sig.classes] {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return errs.At(row, -1, "model output %d is %v", j, v)
		}
		scores[j] = float64(v)
	}
	return nil
}

// Predict writes into out[i] the class with the highest score for row X[i] (the lowest
// such class on ties). X must have at least one row, len(out) must equal len(X); X is
// not modified.
func (m *Model) Predict(X [][]float64, out []int) error {
	if len(X) == 0 {
		return errs.Invalid("onnx: Predict: no rows: X is empty; pass at least one input")
	}
	if len(out) != len(X) {
		return errs.Invalid("onnx: %d rows but output buffer of length %d", len(X), len(out))
	}
	for i, x := range X {
		if err := m.scores(i, x, m.outputs); err != nil {
			return fmt.Errorf("onnx: %w", err)
		}
		out[i] = argmax(m.outputs)
	}
	return nil
}

// argmax returns the index of the first largest element of xs.
func argmax(xs []float64) int {
	best := 0
	for j, v := range xs {
		if v > xs[best] {
			best = j
		}
	}
	return best
}

// LoadFile loads a Model from an ONNX file. A file that cannot be read is an error
// wrapping ensemble.ErrInvalidInput, one that Load rejects wraps ensemble.ErrCorrupt.
func LoadFile(path string) (*Model, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, errs.Invalid("onnx: %w", err)
	}
	m, err := load(data)
	if err != nil {
		return nil, errs.Corrupt("onnx: %s: %w", path, err)
	}
	return m, nil
}

// LoadFiles loads one Model per file, in the given order, ready for
// ensemble.FromModels. All models must agree on InputDim and Classes.
func LoadFiles(paths []string) ([]ensemble.Model, error) {
	if len(paths) == 0 {
		return nil, errs.Invalid("onnx: no model files given")
	}
	models := make([]ensemble.Model, len(paths))
	var first *Model
	for i, path := range paths {
		m, err := LoadFile(path)
		if err != nil {
			return nil, err
		}
		if first == nil {
			first = m
		} else if m.InputDim() != first.InputDim() || m.Classes() != first.Classes() {
			return nil, errs.Invalid("onnx: %s maps %d features to %d classes but %s maps %d to %d; ensemble members must agree",
				path, m.InputDim(), m.Classes(), paths[0], first.InputDim(), first.Classes())
		}
		models[i] = m
	}
	return models, nil
}

// LoadDir loads every *.onnx file of dir, in lexical order of file name, with LoadFiles.
func LoadDir(dir string) ([]ensemble.Model, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, errs.Invalid("onnx: %w", err)
	}
	var paths []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".onnx") {
			paths = append(paths, filepath.Join(dir, e.Name()))
		}
	}
	if len(paths) == 0 {
		return nil, errs.Invalid("onnx: no *.onnx files in %s", dir)
	}
	return LoadFiles(paths)
}

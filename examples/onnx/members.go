package main

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/rabcert/rab/ensemble"
	"github.com/rabcert/rab/ensemble/onnx"
	"github.com/rabcert/rab/internal/dataset"
)

// members holds the ONNX members and the manifest written by members/gen.py.
//
//go:embed members/*.onnx members/manifest.json
var members embed.FS

// manifest is what members/gen.py records about the members and the split: the σ they
// were trained with and the test rows they never saw.
type manifest struct {
	Sigma       float64 `json:"sigma"`
	Members     int     `json:"members"`
	Classes     int     `json:"classes"`
	Scale       float64 `json:"scale"`
	TrainRows   int     `json:"train_rows"`
	TestIndices []int   `json:"test_indices"` // rows of digits.csv (0-based, header excluded)
	TestLabels  []int   `json:"test_labels"`
	// MemberTestCorrect[k] is how many test rows member k classifies correctly without
	// noise, computed by numpy; the tests compare it with the members run by onnx-go.
	MemberTestCorrect []int `json:"member_test_correct"`
}

// readManifest parses members/manifest.json from fsys and checks that it is usable.
func readManifest(fsys fs.FS) (manifest, error) {
	data, err := fs.ReadFile(fsys, "members/manifest.json")
	if err != nil {
		return manifest{}, err
	}
	var m manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return manifest{}, fmt.Errorf("members/manifest.json: %w", err)
	}
	switch {
	case !(m.Sigma > 0):
		return manifest{}, fmt.Errorf("members/manifest.json: σ = %v: want σ > 0", m.Sigma)
	case !(m.Scale > 0):
		return manifest{}, fmt.Errorf("members/manifest.json: scale = %v: want > 0", m.Scale)
	case m.Classes < 2:
		return manifest{}, fmt.Errorf("members/manifest.json: %d classes: want at least 2", m.Classes)
	case len(m.TestIndices) == 0 || len(m.TestIndices) != len(m.TestLabels):
		return manifest{}, fmt.Errorf("members/manifest.json: %d test indices and %d labels: want one label per index", len(m.TestIndices), len(m.TestLabels))
	case len(m.MemberTestCorrect) != m.Members:
		return manifest{}, fmt.Errorf("members/manifest.json: %d members but %d test accuracies", m.Members, len(m.MemberTestCorrect))
	}
	return m, nil
}

// loadMembers loads every members/*.onnx file of fsys, in lexical order of name, and
// checks that there are as many as the manifest says.
func loadMembers(fsys fs.FS, m manifest) ([]ensemble.Model, error) {
	entries, err := fs.ReadDir(fsys, "members") // sorted by name
	if err != nil {
		return nil, err
	}
	var models []ensemble.Model
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".onnx") {
			continue
		}
		name := path.Join("members", e.Name())
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		model, err := onnx.Load(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		models = append(models, model)
	}
	if len(models) != m.Members {
		return nil, fmt.Errorf("members: %d ONNX files but the manifest lists %d members", len(models), m.Members)
	}
	return models, nil
}

// testSet returns the manifest's held-out rows of the embedded digits, features scaled
// by 1/scale as in training. It checks that the indices are distinct, that they leave
// exactly the manifest's number of training rows, and that the labels agree with the
// data, so the manifest refers to this very file and its rows.
func testSet(m manifest) (dataset.Set, error) {
	digits, err := dataset.Digits()
	if err != nil {
		return dataset.Set{}, err
	}
	if n := len(digits.X); len(m.TestIndices)+m.TrainRows != n {
		return dataset.Set{}, fmt.Errorf("manifest: %d test + %d training rows, but the digits have %d rows", len(m.TestIndices), m.TrainRows, n)
	}
	if digits.Classes != m.Classes {
		return dataset.Set{}, fmt.Errorf("manifest: %d classes, but the digits have %d", m.Classes, digits.Classes)
	}
	seen := make(map[int]bool, len(m.TestIndices))
	test := dataset.Set{Names: digits.Names, Classes: digits.Classes}
	for i, j := range m.TestIndices {
		switch {
		case j < 0 || j >= len(digits.X):
			return dataset.Set{}, fmt.Errorf("manifest: test index %d outside [0, %d)", j, len(digits.X))
		case seen[j]:
			return dataset.Set{}, fmt.Errorf("manifest: test index %d listed twice", j)
		case digits.Y[j] != m.TestLabels[i]:
			return dataset.Set{}, fmt.Errorf("manifest: row %d has label %d in the data but %d in the manifest", j, digits.Y[j], m.TestLabels[i])
		}
		seen[j] = true
		x := make([]float64, len(digits.X[j]))
		for f, v := range digits.X[j] {
			x[f] = v / m.Scale
		}
		test.X = append(test.X, x)
		test.Y = append(test.Y, digits.Y[j])
	}
	return test, nil
}

package onnx

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// reference is testdata/reference.json, written by testdata/gen_models.py from plain
// numpy implementations of each operator (float64 arithmetic on the float32 weights).
type reference map[string]struct {
	Inputs  [][]float64 `json:"inputs"`
	Outputs [][]float64 `json:"outputs"`
	Argmax  []int       `json:"argmax"`
}

func readReference(t testing.TB) reference {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "reference.json"))
	require.NoError(t, err)
	var ref reference
	require.NoError(t, json.Unmarshal(data, &ref))
	require.Len(t, ref, 6)
	return ref
}

func loadTestModel(t testing.TB, name string) *Model {
	t.Helper()
	m, err := LoadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return m
}

// TestScoresMatchReference checks every output of every accepted test model against
// numpy within 1e-5 (float32 evaluation of tiny models), and Predict's argmax exactly.
// Each row is evaluated twice, in both orders, to catch state leaking between runs.
func TestScoresMatchReference(t *testing.T) {
	for name, ref := range readReference(t) {
		t.Run(name, func(t *testing.T) {
			m := loadTestModel(t, name)
			require.Equal(t, len(ref.Inputs[0]), m.InputDim())
			require.Equal(t, len(ref.Outputs[0]), m.Classes())
			scores := make([]float64, m.Classes())
			for pass := 0; pass < 2; pass++ {
				for k := range ref.Inputs {
					i := k
					if pass == 1 {
						i = len(ref.Inputs) - 1 - k
					}
					require.NoError(t, m.Scores(ref.Inputs[i], scores))
					assert.InDeltaSlice(t, ref.Outputs[i], scores, 1e-5, "row %d pass %d", i, pass)
				}
			}
			got := make([]int, len(ref.Inputs))
			require.NoError(t, m.Predict(ref.Inputs, got))
			assert.Equal(t, ref.Argmax, got)
		})
	}
}

package progress

import (
	"bytes"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestBarDrawsEachStage(t *testing.T) {
	var out bytes.Buffer
	report := Bar(&out)
	for done := 1; done <= 4; done++ {
		report("first", done, 4)
	}
	report("second", 1, 2)
	assert.Contains(t, out.String(), "first")
	assert.Contains(t, out.String(), "second", "a finished bar gives way to the next stage's")
}

func TestIsTerminal(t *testing.T) {
	assert.False(t, IsTerminal(&bytes.Buffer{}))
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	assert.False(t, IsTerminal(w), "a pipe is no terminal")
	f, err := os.Create(t.TempDir() + "/log")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	assert.False(t, IsTerminal(f), "a log file is no terminal")
}

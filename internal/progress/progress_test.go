package progress

import (
	"bytes"
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

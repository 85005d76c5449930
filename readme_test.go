package rab

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestReadmeQuickStart keeps README.md's quick start in sync with Example in
// example_test.go: the body of the README's func main must equal the body of Example
// without its Output comment, and the output the README shows must be Example's.
func TestReadmeQuickStart(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	example, err := os.ReadFile("example_test.go")
	require.NoError(t, err)

	quick := between(t, string(readme), "## Quick start\n\n```go\n", "```\n")
	mainBody := between(t, quick, "func main() {\n", "}\n")
	exampleBody := between(t, string(example), "func Example() {\n", "\n}\n")
	code, output, found := strings.Cut(exampleBody, "\t// Output:\n")
	require.True(t, found, "Example has no Output comment")
	require.Equal(t, code, mainBody, "README.md's quick start differs from Example in example_test.go")

	shown := between(t, string(readme), "It prints\n\n```\n", "```\n")
	var want strings.Builder
	for line := range strings.Lines(output) {
		want.WriteString(strings.TrimPrefix(line, "\t// "))
	}
	require.Equal(t, strings.TrimSpace(want.String()), strings.TrimSpace(shown), "README.md shows other output than Example's")
}

// between returns the text after the first start and before the next end after it
// (for end "}\n", the last one).
func between(t *testing.T, s, start, end string) string {
	t.Helper()
	_, after, found := strings.Cut(s, start)
	require.True(t, found, "%q not found", start)
	var i int
	if end == "}\n" {
		i = strings.LastIndex(after, end)
	} else {
		i = strings.Index(after, end)
	}
	require.GreaterOrEqual(t, i, 0, "%q not found after %q", end, start)
	return after[:i]
}

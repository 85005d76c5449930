package main

import (
	"flag"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// docRequest is one of the requests of doc.go's example, as curl sends it.
type docRequest struct {
	curl        string // the command line in doc.go
	method      string
	path        string
	contentType string // curl -d without -H sends application/x-www-form-urlencoded
	body        string
	status      int
}

// TestDocExample sends the requests of doc.go's example to the demo model with the
// default limits and checks that the answers doc.go shows are exactly the service's.
func TestDocExample(t *testing.T) {
	doc, err := os.ReadFile("doc.go")
	require.NoError(t, err)
	zeros := strings.TrimSuffix(strings.Repeat("0,", 56), ",")
	requests := []docRequest{
		{`curl -s -H 'Content-Type: application/json' localhost:8080/certify -d "{\"inputs\": [[$x]], \"poisoned_rows\": 4, \"norm\": 0.1}"`,
			http.MethodPost, "/certify", "application/json", `{"inputs": [[` + zeros + `]], "poisoned_rows": 4, "norm": 0.1}`, http.StatusOK},
		{`curl -s -H 'Content-Type: application/json' localhost:8080/certify -d '{"input": [1, 2]}'`,
			http.MethodPost, "/certify", "application/json", `{"input": [1, 2]}`, http.StatusBadRequest},
		{`curl -s localhost:8080/certify -d '{"input": [1, 2]}'`,
			http.MethodPost, "/certify", "application/x-www-form-urlencoded", `{"input": [1, 2]}`, http.StatusUnsupportedMediaType},
		{`curl -s localhost:8080/healthz`, http.MethodGet, "/healthz", "", "", http.StatusOK},
	}
	answers := docAnswers(t, string(doc))
	require.Len(t, answers, len(requests), "doc.go shows one answer per request")

	model, err := trainDemo(t.Context(), 2)
	require.NoError(t, err)
	cfg, err := parseFlags(flag.NewFlagSet("service", flag.ContinueOnError), nil)
	require.NoError(t, err)
	h := newHandler(model, cfg.limits, discard)
	for i, r := range requests {
		assert.Contains(t, string(doc), "//\t"+r.curl+"\n", "doc.go shows the request")
		rec := doWithType(h, r.method, r.path, r.contentType, r.body)
		assert.Equal(t, r.status, rec.Code, r.curl)
		assert.JSONEq(t, answers[i], rec.Body.String(), r.curl)
	}
}

// docAnswers returns the JSON documents of doc.go's example: the indented lines after
// "// answers", one document per line starting with "{", continuation lines after it.
func docAnswers(t *testing.T, doc string) []string {
	_, after, found := strings.Cut(doc, "\n// answers")
	require.True(t, found, "doc.go has no answers")
	var out []string
	started := false
	for line := range strings.Lines(after) {
		text, ok := strings.CutPrefix(strings.TrimRight(line, "\n"), "//\t")
		switch {
		case ok && strings.HasPrefix(text, "{"):
			out = append(out, text)
			started = true
		case ok && started:
			out[len(out)-1] += text
		case started:
			return out
		}
	}
	return out
}

package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// FuzzCertify sends arbitrary bodies and Content-Types to POST /certify (the small
// K-NN model, the test limits). Whatever arrives, the answer is JSON, 200 with one
// certificate per input or a client error (400, 413, 415) with a message: the service
// never panics and never blames the model (500) for a client's request.
func FuzzCertify(f *testing.F) {
	m, tests := small(f)
	row, err := json.Marshal(tests[0])
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []struct{ contentType, body string }{
		{"application/json", fmt.Sprintf(`{"input": %s}`, row)},
		{"application/json", fmt.Sprintf(`{"inputs": [%s, %s], "poisoned_rows": 3, "norm": 0.2}`, row, row)},
		{"application/json; charset=utf-8", fmt.Sprintf(`{"input": %s, "norm": 0}`, row)},
		{"application/json", `{"input": [1, 2, 3]}`},
		{"application/json", `{"inputs": [[1], [1, 2]]}`},
		{"application/json", `{"inputs": []}`},
		{"application/json", `{"input": [null]}`},
		{"application/json", `{"input": [1e400]}`},
		{"application/json", `{"input": [-1e300]}`},
		{"application/json", `{"poisoned_rows": -1}`},
		{"application/json", `{"inputs": [[1]]} {}`},
		{"application/json", `[`},
		{"application/json", ``},
		{"text/plain", `{"input": [1]}`},
		{"", `{}`},
	} {
		f.Add(seed.contentType, []byte(seed.body))
	}
	h := newHandler(m, testLimits, discard)
	f.Fuzz(func(t *testing.T, contentType string, body []byte) {
		rec := doWithType(h, http.MethodPost, "/certify", contentType, string(body))
		if rec.Code == http.StatusOK {
			var resp certifyResponse
			if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
				t.Fatalf("200 with a body that is not a response: %v: %s", err, rec.Body)
			}
			var req certifyRequest
			if err := json.Unmarshal(body, &req); err != nil {
				t.Fatalf("200 for a body that is not a request: %v", err)
			}
			if n := max(len(req.Inputs), min(len(req.Input), 1)); len(resp.Certificates) != n {
				t.Fatalf("%d certificates for %d inputs", len(resp.Certificates), n)
			}
			return
		}
		switch rec.Code {
		case http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType:
		default:
			t.Fatalf("status %d for a client's request: %s", rec.Code, rec.Body)
		}
		var answer map[string]string
		if err := json.Unmarshal(rec.Body.Bytes(), &answer); err != nil || strings.TrimSpace(answer["error"]) == "" {
			t.Fatalf("status %d without an error message: %s", rec.Code, rec.Body)
		}
	})
}

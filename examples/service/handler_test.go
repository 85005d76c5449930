package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rabcert/rab"
	"github.com/rabcert/rab/internal/dataset"
)

var discard = slog.New(slog.DiscardHandler)

// testLimits are small enough to test each limit; testdata rows fit easily.
var testLimits = limits{maxBody: 1 << 16, maxInputs: 8, maxAbs: 1e6, timeout: 10 * time.Second}

var (
	smallOnce  sync.Once
	smallModel *rab.Model
	smallTests [][]float64
	smallErr   error
)

// small returns a K-NN model (K = 1, σ = 0.5) trained on the first 200 rows of the demo's
// Spambase training split, and the demo's first 8 test rows.
func small(t testing.TB) (*rab.Model, [][]float64) {
	t.Helper()
	smallOnce.Do(func() {
		var set dataset.Set
		if set, smallErr = dataset.SpambaseRAB(); smallErr != nil {
			return
		}
		train, test := dataset.Split(set, 0.2, demoSplitSeed)
		train = dataset.Head(train, 200)
		smallModel, smallErr = rab.Train(context.Background(), train.X, train.Y, rab.WithKNN(1), rab.WithSigma(0.5), rab.WithWorkers(2))
		smallTests = dataset.Head(test, 8).X
	})
	require.NoError(t, smallErr)
	return smallModel, smallTests
}

// do sends a request with a JSON body to h.
func do(h http.Handler, method, path, body string) *httptest.ResponseRecorder {
	return doWithType(h, method, path, "application/json", body)
}

// doWithType sends a request with the given Content-Type ("" for none) to h.
func doWithType(h http.Handler, method, path, contentType, body string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	h.ServeHTTP(rec, req)
	return rec
}

// decodeOK checks a 200 JSON response and decodes it, rejecting unexpected fields.
func decodeOK(t *testing.T, rec *httptest.ResponseRecorder) certifyResponse {
	t.Helper()
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.Equal(t, "application/json", rec.Header().Get("Content-Type"))
	var resp certifyResponse
	dec := json.NewDecoder(rec.Body)
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(&resp))
	return resp
}

// requireError checks that rec is a JSON error with the given status whose message
// contains want.
func requireError(t *testing.T, rec *httptest.ResponseRecorder, status int, want string) {
	t.Helper()
	require.Equal(t, status, rec.Code, rec.Body.String())
	assert.Equal(t, "application/json", rec.Header().Get("Content-Type"))
	var body map[string]string
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body), rec.Body.String())
	require.Len(t, body, 1, rec.Body.String())
	assert.Contains(t, body["error"], want)
}

// inputsJSON encodes rows as a JSON array of arrays.
func inputsJSON(t *testing.T, rows [][]float64) string {
	t.Helper()
	b, err := json.Marshal(rows)
	require.NoError(t, err)
	return string(b)
}

func TestCertifyMatchesModel(t *testing.T) {
	m, tests := small(t)
	h := newHandler(m, testLimits, discard)
	const rows, norm = 4, 0.2
	resp := decodeOK(t, do(h, http.MethodPost, "/certify",
		fmt.Sprintf(`{"inputs": %s, "poisoned_rows": %d, "norm": %v}`, inputsJSON(t, tests), rows, norm)))
	assert.Equal(t, rows, resp.PoisonedRows)
	require.Len(t, resp.Certificates, len(tests))
	certified := 0
	for i, got := range resp.Certificates {
		want, err := m.Certify(context.Background(), tests[i])
		require.NoError(t, err)
		require.False(t, want.Abstained, "test row %d: the test needs certified rows", i)
		assert.Equal(t, want.Class, got.Class, "row %d", i)
		assert.Equal(t, want.PA, got.PA, "row %d", i) // JSON round-trips float64 exactly
		assert.Equal(t, want.PB, got.PB, "row %d", i)
		assert.Equal(t, want.Radius, got.Radius, "row %d", i)
		assert.False(t, got.Abstained)
		assert.Equal(t, rab.L2, got.Norm)
		require.NotNil(t, got.Quantisation, "row %d: K-NN certificates carry their quantisation", i)
		assert.Equal(t, *want.Quantisation, *got.Quantisation, "row %d", i)
		assert.Equal(t, want, got.Certificate, "row %d: rab's certificate, field for field", i)
		assert.InDelta(t, want.Radius/2, got.PatternRadius, 1e-15, "row %d: R/√r with r = 4", i)
		require.NotNil(t, got.Certified)
		assert.Equal(t, norm < want.Radius/2, *got.Certified, "row %d", i)
		if *got.Certified {
			certified++
		}
	}
	// The small model certifies radii between about 0.2 and 3 here: both answers occur.
	assert.Greater(t, certified, 0)
	assert.Less(t, certified, len(tests))
}

func TestCertifyDefaultsOneRowNoNorm(t *testing.T) {
	m, tests := small(t)
	rec := do(newHandler(m, testLimits, discard), http.MethodPost, "/certify", fmt.Sprintf(`{"inputs": %s}`, inputsJSON(t, tests[:2])))
	assert.NotContains(t, rec.Body.String(), "certified", "no norm given: no verdict")
	resp := decodeOK(t, rec)
	assert.Equal(t, 1, resp.PoisonedRows)
	for _, c := range resp.Certificates {
		assert.Equal(t, c.Radius, c.PatternRadius, "one poisoned row: pattern radius = radius")
		assert.Nil(t, c.Certified)
	}
}

func TestCertifySingleInput(t *testing.T) {
	m, tests := small(t)
	x, err := json.Marshal(tests[3])
	require.NoError(t, err)
	resp := decodeOK(t, do(newHandler(m, testLimits, discard), http.MethodPost, "/certify",
		fmt.Sprintf(`{"input": %s, "norm": 0}`, x)))
	require.Len(t, resp.Certificates, 1)
	want, err := m.Certify(context.Background(), tests[3])
	require.NoError(t, err)
	got := resp.Certificates[0]
	assert.Equal(t, want.Class, got.Class)
	assert.Equal(t, want.PA, got.PA)
	assert.Equal(t, want.PB, got.PB)
	assert.Equal(t, want.Radius, got.Radius)
	assert.True(t, *got.Certified, "norm 0 is certified by any radius > 0")
}

func TestCertifyLargeValuesWithinLimit(t *testing.T) {
	m, tests := small(t)
	x := append([]float64(nil), tests[0]...)
	x[0], x[1] = 1e6, -1e6 // = ±max-abs: accepted
	body, err := json.Marshal(map[string]any{"input": x})
	require.NoError(t, err)
	resp := decodeOK(t, do(newHandler(m, testLimits, discard), http.MethodPost, "/certify", string(body)))
	want, err := m.Certify(context.Background(), x)
	require.NoError(t, err)
	assert.Equal(t, want.Class, resp.Certificates[0].Class)
	assert.Equal(t, want.PA, resp.Certificates[0].PA)
}

func TestCertifyBadRequests(t *testing.T) {
	m, tests := small(t)
	h := newHandler(m, testLimits, discard)
	row := inputsJSON(t, tests[:1])
	row = row[1 : len(row)-1] // one input, 56 features
	short := inputsJSON(t, [][]float64{tests[1][:55]})
	short = short[1 : len(short)-1]
	many := inputsJSON(t, append(tests, tests[0])) // 9 > max-inputs 8
	cases := []struct {
		name, body, want string
	}{
		{"malformed JSON", `{"inputs": [[1, 2}`, "malformed request"},
		{"truncated JSON", `{"inputs": [[1, 2]`, "malformed request"},
		{"not an object", `[[1, 2]]`, "malformed request"},
		{"unknown field", `{"input": ` + row + `, "inputz": 1}`, `unknown field "inputz"`},
		{"string feature", `{"input": [1, "2"]}`, "malformed request"},
		{"number beyond float64", `{"input": [1e400]}`, "malformed request"},
		{"trailing object", `{"input": ` + row + `} {}`, "unexpected data after the JSON object"},
		{"trailing garbage", `{"input": ` + row + `} x`, "malformed request"},
		{"empty body", ``, "empty request body"},
		{"no inputs", `{}`, "no inputs"},
		{"null inputs", `{"inputs": null}`, "no inputs"},
		{"empty inputs", `{"inputs": []}`, "rab: CertifyBatch: inputs: empty data: want at least one row with at least one column"},
		{"both forms", `{"inputs": [` + row + `], "input": ` + row + `}`, `both "inputs" and "input"`},
		{"too many inputs", `{"inputs": ` + many + `}`, "9 inputs: at most 8 per request"},
		{"wrong dimension", `{"input": [1, 2, 3]}`, "rab: CertifyBatch: inputs have 3 features, the training rows have 56"},
		{"empty input", `{"input": []}`, "rab: CertifyBatch: inputs: empty data"},
		{"ragged inputs", `{"inputs": [` + row + `, ` + short + `]}`, "rab: CertifyBatch: inputs: row 1: 55 features, row 0 has 56: rows must have equal length"},
		{"null feature", `{"inputs": [` + row + `, [` + strings.Repeat("0, ", 40) + `null` + strings.Repeat(", 0", 15) + `]]}`, "input 1 feature 40 is null"},
		{"beyond max-abs", `{"input": [` + strings.Repeat("0, ", 55) + `-1e300]}`, "input 0 feature 55 is -1e+300: this server accepts values in [-1e+06, 1e+06]"},
		{"zero poisoned rows", `{"input": ` + row + `, "poisoned_rows": 0}`, `"poisoned_rows" = 0: want at least 1`},
		{"fractional poisoned rows", `{"input": ` + row + `, "poisoned_rows": 1.5}`, "malformed request"},
		{"negative norm", `{"input": ` + row + `, "norm": -0.5}`, `"norm" = -0.5`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			requireError(t, do(h, http.MethodPost, "/certify", c.body), http.StatusBadRequest, c.want)
		})
	}
}

// TestContentType: a body that does not say it is JSON is refused with 415.
func TestContentType(t *testing.T) {
	m, tests := small(t)
	h := newHandler(m, testLimits, discard)
	body := fmt.Sprintf(`{"inputs": %s}`, inputsJSON(t, tests[:1]))
	for _, ct := range []string{"", "text/plain", "application/x-www-form-urlencoded", "application/jsonx", "application/json; charset", "multipart/form-data; boundary=x"} {
		requireError(t, doWithType(h, http.MethodPost, "/certify", ct, body), http.StatusUnsupportedMediaType,
			fmt.Sprintf("Content-Type %q: send the request as application/json", ct))
	}
	for _, ct := range []string{"application/json", "application/json; charset=utf-8", "Application/JSON"} {
		decodeOK(t, doWithType(h, http.MethodPost, "/certify", ct, body))
	}
}

func TestCertifyBodyTooLarge(t *testing.T) {
	m, tests := small(t)
	lim := testLimits
	lim.maxBody = 1000
	body := fmt.Sprintf(`{"inputs": %s}`, inputsJSON(t, tests))
	require.Greater(t, len(body), 1000)
	h := newHandler(m, lim, discard)
	requireError(t, do(h, http.MethodPost, "/certify", body), http.StatusRequestEntityTooLarge, "request body larger than 1000 bytes")
	// Trailing whitespace beyond the limit counts too.
	one := fmt.Sprintf(`{"inputs": %s}`, inputsJSON(t, tests[:1]))
	requireError(t, do(h, http.MethodPost, "/certify", one+strings.Repeat(" ", 1000)), http.StatusRequestEntityTooLarge, "-max-body")
	decodeOK(t, do(h, http.MethodPost, "/certify", one))
}

func TestWrongMethod(t *testing.T) {
	m, _ := small(t)
	h := newHandler(m, testLimits, discard)
	for _, c := range []struct{ method, path, allow string }{
		{http.MethodGet, "/certify", "POST"},
		{http.MethodPut, "/certify", "POST"},
		{http.MethodPost, "/healthz", "GET, HEAD"},
	} {
		rec := do(h, c.method, c.path, "{}")
		requireError(t, rec, http.StatusMethodNotAllowed, "method "+c.method+" not allowed on "+c.path)
		assert.Equal(t, c.allow, rec.Header().Get("Allow"))
	}
}

func TestNotFound(t *testing.T) {
	m, _ := small(t)
	requireError(t, do(newHandler(m, testLimits, discard), http.MethodGet, "/certify/x", ""), http.StatusNotFound, "no such endpoint /certify/x")
}

func TestHealthz(t *testing.T) {
	m, _ := small(t)
	rec := do(newHandler(m, testLimits, discard), http.MethodGet, "/healthz", "")
	require.Equal(t, http.StatusOK, rec.Code)
	assert.JSONEq(t, `{"status": "ok", "model": {"kind": "knn", "classes": 2, "dim": 56},
		"limits": {"max_body_bytes": 65536, "max_inputs": 8, "max_abs": 1e6, "timeout": "10s"}}`, rec.Body.String())
}

// fakeModel is a model whose CertifyBatch is given by the test.
type fakeModel struct {
	dim     int
	certify func(ctx context.Context, X [][]float64) ([]rab.Certificate, error)
}

func (f fakeModel) CertifyBatch(ctx context.Context, X [][]float64) ([]rab.Certificate, error) {
	return f.certify(ctx, X)
}
func (fakeModel) Kind() rab.Kind { return rab.KindEnsemble }
func (fakeModel) Classes() int   { return 3 }
func (f fakeModel) Dim() int     { return f.dim }
func fakeReturning(c rab.Certificate, err error) fakeModel {
	return fakeModel{dim: 2, certify: func(_ context.Context, X [][]float64) ([]rab.Certificate, error) {
		if err != nil {
			return nil, err
		}
		return []rab.Certificate{c}, nil
	}}
}

// TestResponseForm pins the response of a certificate as the bytes the service sends:
// rab.Certificate's own JSON form (its documented field order) followed by the
// service's pattern_radius and certified.
func TestResponseForm(t *testing.T) {
	cert := rab.Certificate{Class: 2, PA: 0.96875, PB: 0.03125, Radius: 3.5, Norm: rab.L1}
	rec := do(newHandler(fakeReturning(cert, nil), testLimits, discard), http.MethodPost, "/certify",
		`{"input": [0.5, 1], "poisoned_rows": 4, "norm": 0.5}`)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.Equal(t, `{"poisoned_rows":4,"certificates":[{"class":2,"pa":0.96875,"pb":0.03125,"radius":3.5,`+
		`"abstained":false,"norm":"L1","pattern_radius":0.875,"certified":true}]}`+"\n", rec.Body.String(), "L1: R/r with r = 4")
	resp := decodeOK(t, rec)
	assert.Equal(t, certificateJSON{Certificate: cert, PatternRadius: 0.875, Certified: &[]bool{true}[0]}, resp.Certificates[0])
}

func TestAbstained(t *testing.T) {
	abstain := rab.Certificate{Class: 1, PA: 0.4, PB: 0.45, Abstained: true, Norm: rab.L1}
	resp := decodeOK(t, do(newHandler(fakeReturning(abstain, nil), testLimits, discard), http.MethodPost, "/certify",
		`{"input": [0.5, 1], "norm": 0}`))
	assert.Equal(t, certificateJSON{Certificate: abstain, PatternRadius: 0, Certified: &[]bool{false}[0]}, resp.Certificates[0])
}

func TestModelFailure(t *testing.T) {
	h := newHandler(fakeReturning(rab.Certificate{}, errors.New("rab: disk on fire")), testLimits, discard)
	requireError(t, do(h, http.MethodPost, "/certify", `{"input": [1, 2]}`), http.StatusInternalServerError, "certification failed: rab: disk on fire")
}

// TestModelSaysInputInvalid: an error of the model that wraps rab.ErrInvalidInput is
// the client's, 400 with rab's message; the service does not check it itself.
func TestModelSaysInputInvalid(t *testing.T) {
	bad := fmt.Errorf("rab: CertifyBatch: %w", &rab.InputError{Row: 0, Feature: 1, Msg: "value out of range"})
	h := newHandler(fakeReturning(rab.Certificate{}, bad), testLimits, discard)
	requireError(t, do(h, http.MethodPost, "/certify", `{"input": [1, 2]}`), http.StatusBadRequest, "rab: CertifyBatch: row 0, feature 1: value out of range")
	corrupt := fmt.Errorf("rab: something: %w", rab.ErrCorrupt)
	h = newHandler(fakeReturning(rab.Certificate{}, corrupt), testLimits, discard)
	requireError(t, do(h, http.MethodPost, "/certify", `{"input": [1, 2]}`), http.StatusInternalServerError, "certification failed")
}

// TestUnencodableCertificate: rab's certificates have PA < 1 and a finite radius
// (rab's TestCertificatesHaveFiniteRadius), but should a model ever return one that
// JSON cannot carry, the answer is still well-formed JSON: a 500 with a message.
func TestUnencodableCertificate(t *testing.T) {
	for _, c := range []rab.Certificate{{PA: math.NaN()}, {Class: 2, PA: 1, PB: 0, Radius: math.Inf(1)}} {
		h := newHandler(fakeReturning(c, nil), testLimits, discard)
		requireError(t, do(h, http.MethodPost, "/certify", `{"input": [1, 2]}`), http.StatusInternalServerError, "encoding the response: json: unsupported value")
	}
}

// blockingModel's CertifyBatch signals started, then waits for ctx to end and reports
// its error (or, after 5 s, that ctx never ended).
func blockingModel(started chan<- struct{}, ended chan<- error) fakeModel {
	return fakeModel{dim: 2, certify: func(ctx context.Context, _ [][]float64) ([]rab.Certificate, error) {
		started <- struct{}{}
		select {
		case <-ctx.Done():
			ended <- ctx.Err()
			return nil, fmt.Errorf("rab: %w", ctx.Err())
		case <-time.After(5 * time.Second):
			ended <- errors.New("the context was not cancelled")
			return nil, errors.New("not cancelled")
		}
	}}
}

func TestTimeout(t *testing.T) {
	started, ended := make(chan struct{}, 1), make(chan error, 1)
	lim := testLimits
	lim.timeout = 20 * time.Millisecond
	rec := do(newHandler(blockingModel(started, ended), lim, discard), http.MethodPost, "/certify", `{"input": [1, 2]}`)
	requireError(t, rec, http.StatusServiceUnavailable, "longer than the server's 20ms limit (-timeout)")
	assert.ErrorIs(t, <-ended, context.DeadlineExceeded)
}

func TestClientGoneCancelsCertification(t *testing.T) {
	started, ended := make(chan struct{}, 1), make(chan error, 1)
	h := newHandler(blockingModel(started, ended), testLimits, discard)
	ctx, cancel := context.WithCancel(context.Background())
	req := httptest.NewRequest(http.MethodPost, "/certify", strings.NewReader(`{"input": [1, 2]}`)).WithContext(ctx)
	req.Header.Set("Content-Type", "application/json")
	done := make(chan struct{})
	go func() {
		h.ServeHTTP(httptest.NewRecorder(), req)
		close(done)
	}()
	<-started
	cancel() // what net/http does when the client disconnects
	assert.ErrorIs(t, <-ended, context.Canceled)
	<-done
}

package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/rabcert/rab"
)

// model is what the service needs of a model; *rab.Model implements it.
type model interface {
	CertifyBatch(ctx context.Context, X [][]float64) ([]rab.Certificate, error)
	Kind() rab.Kind
	Classes() int
	Dim() int
}

// limits bounds what one request may ask of the service.
type limits struct {
	maxBody   int64         // request body size in bytes
	maxInputs int           // inputs per request
	maxAbs    float64       // largest |feature value| accepted; 0: no limit
	timeout   time.Duration // certification time per request; 0: no limit
}

// server answers POST /certify and GET /healthz for one model.
type server struct {
	model model
	lim   limits
	log   *slog.Logger
}

// newHandler returns the service's HTTP handler: POST /certify, GET /healthz, and JSON
// errors for everything else. Requests are logged to log.
func newHandler(m model, lim limits, log *slog.Logger) http.Handler {
	s := &server{model: m, lim: lim, log: log}
	mux := http.NewServeMux()
	mux.HandleFunc("/certify", s.certify)
	mux.HandleFunc("/healthz", s.healthz)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no such endpoint %s: use POST /certify or GET /healthz", r.URL.Path))
	})
	return logRequests(log, mux)
}

// certifyRequest is the body of POST /certify: either inputs or input, and optionally
// the number of poisoned training rows r and a pattern norm ‖δ‖ to check.
type certifyRequest struct {
	Inputs       [][]*float64 `json:"inputs"`
	Input        []*float64   `json:"input"`
	PoisonedRows *int         `json:"poisoned_rows"`
	Norm         *float64     `json:"norm"`
}

// certifyResponse is the answer to POST /certify, one certificate per input in order.
type certifyResponse struct {
	PoisonedRows int               `json:"poisoned_rows"`
	Certificates []certificateJSON `json:"certificates"`
}

// certificateJSON is a rab.Certificate in rab's own JSON form ("class", "pa", "pb",
// "radius", "abstained", "norm" and, for K-NN models, "quantisation"), followed by what
// the service adds: "pattern_radius", the certified norm of one pattern on the
// request's r poisoned rows (Certificate.PatternRadius), and "certified", present only
// when the request gave a norm (Certificate.CertifiesPattern). Certificates made by rab
// have PA < 1, so their radius is finite and needs no stand-in in JSON.
type certificateJSON struct {
	rab.Certificate
	PatternRadius float64 `json:"pattern_radius"` // shadows the method of rab.Certificate
	Certified     *bool   `json:"certified,omitempty"`
}

// httpError is a failed request: the status code and the message sent as {"error": …}.
type httpError struct {
	status int
	msg    string
}

func badRequest(format string, args ...any) *httpError {
	return &httpError{http.StatusBadRequest, fmt.Sprintf(format, args...)}
}

func (s *server) certify(w http.ResponseWriter, r *http.Request) {
	if !allowMethods(w, r, http.MethodPost) {
		return
	}
	if herr := checkContentType(r); herr != nil {
		writeError(w, herr.status, herr.msg)
		return
	}
	req, herr := decodeRequest(w, r, s.lim.maxBody)
	if herr != nil {
		writeError(w, herr.status, herr.msg)
		return
	}
	X, herr := s.validate(req)
	if herr != nil {
		writeError(w, herr.status, herr.msg)
		return
	}
	ctx := r.Context()
	if s.lim.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s.lim.timeout)
		defer cancel()
	}
	certs, err := s.model.CertifyBatch(ctx, X)
	if err != nil {
		herr := s.certifyError(r.Context(), ctx, err)
		writeError(w, herr.status, herr.msg)
		return
	}
	rows := 1
	if req.PoisonedRows != nil {
		rows = *req.PoisonedRows
	}
	resp := certifyResponse{PoisonedRows: rows, Certificates: make([]certificateJSON, len(certs))}
	for i, c := range certs {
		resp.Certificates[i] = toJSON(c, rows, req.Norm)
	}
	writeJSON(w, http.StatusOK, resp)
}

// checkContentType answers 415 unless the request says its body is JSON.
func checkContentType(r *http.Request) *httpError {
	ct := r.Header.Get("Content-Type")
	mediaType, _, err := mime.ParseMediaType(ct)
	if err != nil || mediaType != "application/json" {
		return &httpError{http.StatusUnsupportedMediaType, fmt.Sprintf("Content-Type %q: send the request as application/json (curl: -H 'Content-Type: application/json')", ct)}
	}
	return nil
}

// decodeRequest reads one JSON object of at most maxBody bytes, rejecting unknown
// fields and trailing data.
func decodeRequest(w http.ResponseWriter, r *http.Request, maxBody int64) (certifyRequest, *httpError) {
	var req certifyRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	dec.DisallowUnknownFields()
	err := dec.Decode(&req)
	if err == nil {
		if _, tokErr := dec.Token(); tokErr != io.EOF {
			err = tokErr
			if err == nil {
				err = errors.New("unexpected data after the JSON object: send exactly one object")
			}
		}
	}
	var tooLarge *http.MaxBytesError
	switch {
	case err == nil:
		return req, nil
	case errors.As(err, &tooLarge):
		return req, &httpError{http.StatusRequestEntityTooLarge, fmt.Sprintf("request body larger than %d bytes (the server's -max-body): send fewer inputs per request", tooLarge.Limit)}
	case errors.Is(err, io.EOF):
		return req, badRequest(`empty request body: send {"inputs": [[...], ...]} or {"input": [...]}`)
	default:
		return req, badRequest("malformed request: %v", err)
	}
}

// validate checks what the request's JSON form and the service's limits leave to
// the service (which of "inputs" and "input", nulls, -max-inputs, -max-abs,
// poisoned_rows and norm) and returns its inputs as one matrix. Whether the inputs suit
// the model (non-empty, of its dimension) is rab's to say: see certifyError.
func (s *server) validate(req certifyRequest) ([][]float64, *httpError) {
	rows := req.Inputs
	switch {
	case req.Inputs != nil && req.Input != nil:
		return nil, badRequest(`both "inputs" and "input" given: send one of them`)
	case req.Input != nil:
		rows = [][]*float64{req.Input}
	case req.Inputs == nil:
		return nil, badRequest(`no inputs: send {"inputs": [[...], ...]} or {"input": [...]}`)
	case len(req.Inputs) > s.lim.maxInputs:
		return nil, badRequest("%d inputs: at most %d per request (the server's -max-inputs)", len(req.Inputs), s.lim.maxInputs)
	}
	if req.PoisonedRows != nil && *req.PoisonedRows < 1 {
		return nil, badRequest(`"poisoned_rows" = %d: want at least 1`, *req.PoisonedRows)
	}
	if req.Norm != nil && *req.Norm < 0 {
		return nil, badRequest(`"norm" = %v: want a norm ≥ 0`, *req.Norm)
	}
	X := make([][]float64, len(rows))
	for i, row := range rows {
		X[i] = make([]float64, len(row))
		for j, v := range row {
			if v == nil {
				return nil, badRequest("input %d feature %d is null: want a number", i, j)
			}
			if s.lim.maxAbs > 0 && math.Abs(*v) > s.lim.maxAbs {
				return nil, badRequest("input %d feature %d is %v: this server accepts values in [-%v, %v] (-max-abs)", i, j, *v, s.lim.maxAbs, s.lim.maxAbs)
			}
			X[i][j] = *v
		}
	}
	return X, nil
}

// certifyError classifies an error of CertifyBatch: the client went away (reqCtx
// done), the per-request timeout expired (ctx done), the inputs do not suit the model
// (rab.ErrInvalidInput: 400 with rab's message), or the model failed (500).
func (s *server) certifyError(reqCtx, ctx context.Context, err error) *httpError {
	switch {
	case errors.Is(err, rab.ErrInvalidInput):
		return badRequest("%v", err)
	case reqCtx.Err() != nil:
		s.log.Info("certification cancelled: client went away", "err", err)
		return &httpError{http.StatusServiceUnavailable, "request cancelled"}
	case ctx.Err() != nil:
		return &httpError{http.StatusServiceUnavailable, fmt.Sprintf("certification took longer than the server's %v limit (-timeout): send fewer inputs per request", s.lim.timeout)}
	default:
		s.log.Error("certification failed", "err", err)
		return &httpError{http.StatusInternalServerError, fmt.Sprintf("certification failed: %v", err)}
	}
}

// toJSON converts a certificate; rows is the number of poisoned rows r for
// PatternRadius, and norm, if not nil, the pattern norm to check.
func toJSON(c rab.Certificate, rows int, norm *float64) certificateJSON {
	out := certificateJSON{Certificate: c, PatternRadius: c.PatternRadius(rows)}
	if norm != nil {
		ok := c.CertifiesPattern(*norm, rows)
		out.Certified = &ok
	}
	return out
}

// healthResponse is the answer to GET /healthz.
type healthResponse struct {
	Status string     `json:"status"`
	Model  modelJSON  `json:"model"`
	Limits limitsJSON `json:"limits"`
}

type modelJSON struct {
	Kind    string `json:"kind"`
	Classes int    `json:"classes"`
	Dim     int    `json:"dim"`
}

type limitsJSON struct {
	MaxBodyBytes int64   `json:"max_body_bytes"`
	MaxInputs    int     `json:"max_inputs"`
	MaxAbs       float64 `json:"max_abs,omitempty"`
	Timeout      string  `json:"timeout,omitempty"`
}

func (s *server) healthz(w http.ResponseWriter, r *http.Request) {
	if !allowMethods(w, r, http.MethodGet, http.MethodHead) {
		return
	}
	m := modelJSON{Kind: s.model.Kind().String(), Classes: s.model.Classes(), Dim: s.model.Dim()}
	lim := limitsJSON{MaxBodyBytes: s.lim.maxBody, MaxInputs: s.lim.maxInputs, MaxAbs: s.lim.maxAbs}
	if s.lim.timeout > 0 {
		lim.Timeout = s.lim.timeout.String()
	}
	writeJSON(w, http.StatusOK, healthResponse{Status: "ok", Model: m, Limits: lim})
}

// allowMethods answers 405 with an Allow header unless r uses one of methods.
func allowMethods(w http.ResponseWriter, r *http.Request, methods ...string) bool {
	for _, m := range methods {
		if r.Method == m {
			return true
		}
	}
	allowed := strings.Join(methods, ", ")
	w.Header().Set("Allow", allowed)
	writeError(w, http.StatusMethodNotAllowed, fmt.Sprintf("method %s not allowed on %s: use %s", r.Method, r.URL.Path, allowed))
	return false
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

// writeJSON encodes v before writing anything, so that an encoding failure still gets a
// well-formed 500 response.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		body, _ = json.Marshal(map[string]string{"error": fmt.Sprintf("encoding the response: %v", err)})
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	w.Write(append(body, '\n'))
}

// statusRecorder remembers the status code a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(status int) {
	r.status = status
	r.ResponseWriter.WriteHeader(status)
}

// logRequests logs each request's method, path, status and duration.
func logRequests(log *slog.Logger, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		h.ServeHTTP(rec, r)
		log.Info("request", "method", r.Method, "path", r.URL.Path, "status", rec.status,
			"duration", time.Since(start), "remote", r.RemoteAddr)
	})
}

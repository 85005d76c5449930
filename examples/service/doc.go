// Command service is an HTTP JSON service that certifies inputs with a saved rab model.
//
// It loads a model written by rab.Model.Save (-model). If that file does not exist, or
// with -train, it first trains a demo model — the exact smoothed K-NN classifier (K = 3,
// σ = 0.5) on the embedded Spambase training split, 56 features as in examples/spambase
// — and saves it there. Then it serves:
//
//	POST /certify  {"inputs": [[x1, …, xd], …]}  or  {"input": [x1, …, xd]}
//	               optional: "poisoned_rows": r (default 1), "norm": ‖δ‖
//	GET  /healthz  status, the model's kind, classes and input dimension, the limits
//
// Each certificate in {"certificates": [...]} is a rab.Certificate in rab's own JSON
// form — the predicted "class", the bounds "pa" and "pb", the certified "radius" (in
// the norm named by "norm", "L2" for Gaussian smoothing), "abstained" and, for K-NN
// models, "quantisation" (how much of the prediction rests on distance quantisation;
// see rab.Quantisation) — followed by what the service adds: "pattern_radius", the
// certified norm of one trigger pattern added to r training rows (radius/√r for L2,
// Corollary 1 of the RAB paper), and, with "norm" in the request, "certified": whether
// a pattern of that norm on r rows provably cannot change the prediction. rab's
// certificates have pa < 1, so every radius is a finite number.
//
// Errors are JSON too, {"error": "..."}: 400 for invalid requests — malformed JSON,
// unknown fields, no or too many inputs, values beyond -max-abs, and whatever rab
// reports as rab.ErrInvalidInput (no inputs, inputs not of the model's dimension),
// with rab's message —, 405 for a wrong method, 413 for a body over -max-body, 415
// unless the Content-Type is application/json, 503 when a request exceeds -timeout,
// 500 when the model fails otherwise. SIGINT or SIGTERM stop the server gracefully.
//
//	go run ./examples/service     # trains and saves spambase-knn.rab on the first run
//
// and in another shell (x holds 56 zero features):
//
//	x=$(printf '0,%.0s' $(seq 55))0
//	curl -s -H 'Content-Type: application/json' localhost:8080/certify -d "{\"inputs\": [[$x]], \"poisoned_rows\": 4, \"norm\": 0.1}"
//	curl -s -H 'Content-Type: application/json' localhost:8080/certify -d '{"input": [1, 2]}'
//	curl -s localhost:8080/certify -d '{"input": [1, 2]}'
//	curl -s localhost:8080/healthz
//
// answers (status 200, 400, 415 and 200; TestDocExample checks every number)
//
//	{"poisoned_rows":4,"certificates":[{"class":0,"pa":0.917446791523333,"pb":0.08255320847666694,
//	  "radius":0.6940502950081504,"abstained":false,"norm":"L2",
//	  "quantisation":{"ties":0.581453408415994,"last_bucket":2.171359964611931e-11},
//	  "pattern_radius":0.3470251475040752,"certified":true}]}
//	{"error":"rab: CertifyBatch: inputs have 2 features, the training rows have 56"}
//	{"error":"Content-Type \"application/x-www-form-urlencoded\": send the request as application/json (curl: -H 'Content-Type: application/json')"}
//	{"status":"ok","model":{"kind":"knn","classes":2,"dim":56},"limits":{"max_body_bytes":1048576,
//	  "max_inputs":256,"max_abs":1000000,"timeout":"30s"}}
//
// Flags: -model, -train, -addr, -max-body, -max-inputs, -max-abs, -timeout,
// -shutdown-timeout, -workers, -quiet (log warnings and errors only; see -h). -max-abs (default 10⁶; 0 disables it) rejects
// feature values far outside any sensible data range: a sanity limit of the service,
// not of rab, which certifies any finite input.
package main

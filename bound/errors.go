package bound

import "github.com/rabcert/rab/internal/errs"

// ErrInvalidInput is wrapped by every error of this package: an argument the
// caller must fix (σ ≤ 0, α outside (0, 1), pA < pB, a bad vote histogram, a nil
// option, …); test for it with errors.Is. It is the module's one invalid-input
// sentinel, the value that the other packages (ensemble, knn, rab) export under
// the same name.
var ErrInvalidInput = errs.ErrInvalidInput

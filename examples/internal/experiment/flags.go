package experiment

import (
	"fmt"
	"strconv"
	"strings"
)

// Sigmas is a comma-separated list of positive σ values, as a flag (e.g. the σ of the
// curves of the paper's Fig. 4).
type Sigmas []float64

// String formats the list as the flag takes it, e.g. "0.2,0.5,1".
func (l *Sigmas) String() string {
	parts := make([]string, len(*l))
	for i, v := range *l {
		parts[i] = strconv.FormatFloat(v, 'g', -1, 64)
	}
	return strings.Join(parts, ",")
}

// Set parses a comma-separated list of positive σ values.
func (l *Sigmas) Set(s string) error {
	var out Sigmas
	for _, part := range strings.Split(s, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(part), 64)
		if err != nil || !(v > 0) {
			return fmt.Errorf("σ %q: want a positive number", part)
		}
		out = append(out, v)
	}
	*l = out
	return nil
}

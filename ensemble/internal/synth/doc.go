// Package synth generates small synthetic classification problems for the tests of
// package ensemble and its learners.
package synth

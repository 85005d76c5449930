// Package check validates training and test data for rab's packages (smoothing, ensemble
// and its learners, rab), so that they reject bad input with the same descriptive
// errors. The errors carry no package prefix: callers wrap them with their own context.
package check

// Package check validates training and test data for package ensemble and its learners,
// so that every learner rejects bad input with the same descriptive errors. The errors
// carry no package prefix: callers wrap them with their own context.
package check

// Package dataset embeds the small public data sets that rab's tests, benchmarks and
// examples use, reads MNIST from the GoMNIST module (see README.md in this directory
// for their sources and licences), and prepares them the way the RAB paper's
// experiments do.
package dataset

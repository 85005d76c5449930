// Package datahash computes the SHA-256 that ties a trained model to its training data,
// in one layout for every package that reports it (ensemble.DataSHA256, shards and
// ensemble files, knn.Smoother.DataSHA256, rab.Model.DataSHA256): a K-NN smoother and an
// ensemble trained on the same X and y report the same hash.
package datahash

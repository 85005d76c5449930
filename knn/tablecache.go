package knn

import (
	"encoding/binary"
	"math"
	"runtime"
	"sync"
	"weak"
)

// Smoothers with the same dimension and the same edges over σ² share one cdfTable: its
// rows and interpolation cells depend on nothing else, and they are expensive to build
// (a training set poisoned three ways, or a model saved and loaded, reuses them). The
// cache holds tables weakly: a table lives while a Smoother uses it.
var tableCache struct {
	mu     sync.Mutex
	tables map[string]weak.Pointer[cdfTable]
}

// sharedCDFTable returns the table for dimension d and edges t (χ² units), built by
// newCDFTable or shared with another Smoother.
func sharedCDFTable(d int, t []float64) *cdfTable {
	key := binary.LittleEndian.AppendUint64(make([]byte, 0, 8*(len(t)+1)), uint64(d))
	for _, v := range t {
		key = binary.LittleEndian.AppendUint64(key, math.Float64bits(v))
	}
	k := string(key)
	tableCache.mu.Lock()
	defer tableCache.mu.Unlock()
	if tb := tableCache.tables[k].Value(); tb != nil {
		return tb
	}
	tb := newCDFTable(d, t)
	if tableCache.tables == nil {
		tableCache.tables = make(map[string]weak.Pointer[cdfTable])
	}
	wp := weak.Make(tb)
	tableCache.tables[k] = wp
	runtime.AddCleanup(tb, func(k string) {
		tableCache.mu.Lock()
		defer tableCache.mu.Unlock()
		if tableCache.tables[k] == wp {
			delete(tableCache.tables, k)
		}
	}, k)
	return tb
}

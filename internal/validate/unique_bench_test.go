package validate

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkUniqueIndexAdd adds a million distinct key hashes to a table
// sized for them up front, as a million-row CSV does, in batches warmed
// the way the collector warms them.
func BenchmarkUniqueIndexAdd(b *testing.B) {
	const rows = 1_000_000
	results := make([]RowResult, batchSize)
	keys := make([]uint64, batchSize)
	for i := range results {
		results[i].keys = keys[i : i+1]
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for b.Loop() {
		ix := &uniqueIndex{}
		ix.reserve(rows)
		for ord := 0; ord < rows; ord += batchSize {
			for i := range keys {
				keys[i] = rng.Uint64() | 1
			}
			ix.warm(results, 0)
			for i := range keys {
				if _, dup := ix.add(keys[i], uint32(ord+i)); dup {
					b.Fatal("distinct random keys reported as a duplicate")
				}
			}
		}
		ix.release()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*rows), "ns/key")
}

package intake

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/onboard/onboard/internal/benchdata"
)

// Benchmark sizes: the 100,000-row workbook the tool must read in well
// under 1.5 s, and a 100,000-row CSV (a tenth of the 1,000,000-row file
// that must read in well under 1 s; go run ./cmd/benchdata makes that).
const (
	benchXLSXRows = 100000
	benchCSVRows  = 100000
)

var (
	benchOnce  sync.Once
	benchDir   string
	benchFiles = map[string]string{}
	benchErr   error
)

// benchFile returns the path of the generated benchmark file of the given
// format, made once per test binary run.
func benchFile(b *testing.B, format string) string {
	b.Helper()
	benchOnce.Do(func() {
		if benchDir, benchErr = os.MkdirTemp("", "intake-bench-"); benchErr != nil {
			return
		}
		benchFiles["xlsx"] = filepath.Join(benchDir, "users.xlsx")
		benchFiles["csv"] = filepath.Join(benchDir, "users.csv")
		if benchErr = benchdata.WriteXLSX(benchFiles["xlsx"], benchXLSXRows); benchErr != nil {
			return
		}
		benchErr = benchdata.WriteCSVFile(benchFiles["csv"], benchCSVRows)
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchFiles[format]
}

func TestMain(m *testing.M) {
	code := m.Run()
	if benchDir != "" {
		os.RemoveAll(benchDir)
	}
	os.Exit(code)
}

func benchmarkRead(b *testing.B, format string, rows int) {
	path := benchFile(b, format)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f, err := Open(path, Options{})
		if err != nil {
			b.Fatal(err)
		}
		rr, err := f.Rows(benchdata.SheetName)
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for {
			if _, ok := rr.Next(); !ok {
				break
			}
			n++
		}
		if rr.Err() != nil || n != rows {
			b.Fatalf("read %d rows, err %v", n, rr.Err())
		}
		rr.Close()
		f.Close()
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkReadXLSX reads the 100,000-row × 15-column workbook.
func BenchmarkReadXLSX(b *testing.B) { benchmarkRead(b, "xlsx", benchXLSXRows) }

// BenchmarkReadCSV reads a 100,000-row × 15-column CSV.
func BenchmarkReadCSV(b *testing.B) { benchmarkRead(b, "csv", benchCSVRows) }

// BenchmarkReadFile reads the file named by INTAKE_BENCH_FILE, e.g. the
// 1,000,000-row CSV from
//
//	go run ./cmd/benchdata -xlsx /tmp/users.xlsx -csv /tmp/users.csv
//	INTAKE_BENCH_FILE=/tmp/users.csv go test ./internal/intake -run XXX -bench ReadFile -benchtime 5x
func BenchmarkReadFile(b *testing.B) {
	path := os.Getenv("INTAKE_BENCH_FILE")
	if path == "" {
		b.Skip("set INTAKE_BENCH_FILE to the file to read")
	}
	rows := 0
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		f, err := Open(path, Options{})
		if err != nil {
			b.Fatal(err)
		}
		rr, err := f.Rows(f.SheetNames()[0])
		if err != nil {
			b.Fatal(err)
		}
		for rows = 0; ; rows++ {
			if _, ok := rr.Next(); !ok {
				break
			}
		}
		if rr.Err() != nil {
			b.Fatal(rr.Err())
		}
		f.Close()
	}
	b.ReportMetric(float64(rows), "rows")
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkRecords reads the records of the 100,000-row CSV from memory
// with csvScanner and with the encoding/csv reading it replaced, for an
// A/B in one binary:
//
//	go test ./internal/intake -run XXX -bench Records -count 6 | tee r.txt
//	go run golang.org/x/perf/cmd/benchstat@latest -col /src r.txt
func BenchmarkRecords(b *testing.B) {
	data, err := os.ReadFile(benchFile(b, "csv"))
	if err != nil {
		b.Fatal(err)
	}
	c := &csvFile{path: "users.csv", delimiter: ','}
	sources := map[string]func() (recordSource, error){
		"scanner": func() (recordSource, error) { return c.scanner(bytes.NewReader(data), readBufSize) },
		"csv":     func() (recordSource, error) { return c.legacySource(bytes.NewReader(data)) },
	}
	for _, name := range []string{"scanner", "csv"} {
		b.Run("src="+name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				src, err := sources[name]()
				if err != nil {
					b.Fatal(err)
				}
				n := 0
				for ; ; n++ {
					if _, err := src.Read(); err != nil {
						break
					}
				}
				if n != benchCSVRows+1 {
					b.Fatalf("%d records", n)
				}
			}
		})
	}
}

// BenchmarkLineEnds measures the lone-CR rewriting layer alone over the
// 100,000-row CSV, to compare with BenchmarkReadCSV.
func BenchmarkLineEnds(b *testing.B) {
	data, err := os.ReadFile(benchFile(b, "csv"))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := io.Copy(io.Discard, newLineEnds(bytes.NewReader(data))); err != nil {
			b.Fatal(err)
		}
	}
}

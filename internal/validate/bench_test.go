package validate

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/onboard/onboard/internal/intake"
)

// benchHeader is 15 netsapiens.user columns of mixed kinds.
var benchHeader = []string{"Domain", "Extension", "First Name", "Last Name", "Login Username", "Email", "User Scope",
	"Department", "Site", "Time Zone", "Voicemail PIN", "Dial By Name Digits", "Ring Timeout (s)", "Area Code", "Caller ID Number"}

// benchRow returns the i-th valid user; every hundredth row has an
// out-of-range value so error paths are measured too.
func benchRow(i int) []string {
	ext := strconv.Itoa(100000 + i)
	dtmf := strconv.Itoa(200 + i%700)
	if i%100 == 99 {
		dtmf = "1000"
	}
	return []string{"acme.example.com", ext, "Jane", "Smith", "u" + ext + "@acme.example.com", "jane." + ext + "@example.com",
		"basic user", "Sales", "Denver HQ", "America/New_York", "4812", dtmf, "25", "303", "1555" + strconv.Itoa(1000000+i)}
}

var (
	benchDir   string
	benchOnce  = map[string]*sync.Once{}
	benchFiles = map[string]string{}
	benchMu    sync.Mutex
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "validate-bench-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	benchDir = dir
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// benchFile generates a file once per test binary.
func benchFile(b *testing.B, name string, write func(path string) error) string {
	benchMu.Lock()
	once, ok := benchOnce[name]
	if !ok {
		once = new(sync.Once)
		benchOnce[name] = once
	}
	benchMu.Unlock()
	path := filepath.Join(benchDir, name)
	var err error
	once.Do(func() { err = write(path) })
	if err != nil {
		b.Fatal(err)
	}
	return path
}

func writeBenchCSV(rows int) func(string) error {
	return func(path string) error {
		fh, err := os.Create(path)
		if err != nil {
			return err
		}
		bw := bufio.NewWriterSize(fh, 1<<20)
		w := csv.NewWriter(bw)
		_ = w.Write(benchHeader)
		for i := range rows {
			_ = w.Write(benchRow(i))
		}
		w.Flush()
		if err := bw.Flush(); err != nil {
			return err
		}
		return fh.Close()
	}
}

func writeBenchXLSX(rows int) func(string) error {
	return func(path string) error {
		f := excelize.NewFile()
		defer f.Close()
		if err := f.SetSheetName("Sheet1", "NetSapiens Users"); err != nil {
			return err
		}
		sw, err := f.NewStreamWriter("NetSapiens Users")
		if err != nil {
			return err
		}
		vals := make([]any, len(benchHeader))
		put := func(r int, cells []string) error {
			for i, c := range cells {
				vals[i] = c
			}
			cell, _ := excelize.CoordinatesToCellName(1, r)
			return sw.SetRow(cell, vals)
		}
		if err := put(1, benchHeader); err != nil {
			return err
		}
		for i := range rows {
			if err := put(i+2, benchRow(i)); err != nil {
				return err
			}
		}
		if err := sw.Flush(); err != nil {
			return err
		}
		return f.SaveAs(path)
	}
}

func benchValidate(b *testing.B, path string, rows int) {
	b.ReportAllocs()
	for b.Loop() {
		in, err := intake.Open(path, intake.Options{})
		if err != nil {
			b.Fatal(err)
		}
		sum, err := Run(context.Background(), in, Options{}, nil)
		_ = in.Close()
		if err != nil {
			b.Fatal(err)
		}
		if sum.Rows != rows || sum.Invalid != rows/100 {
			b.Fatalf("rows %d invalid %d", sum.Rows, sum.Invalid)
		}
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkValidateCSV1M validates a million-row, 15-column CSV (reading
// included, no handler).
func BenchmarkValidateCSV1M(b *testing.B) {
	const rows = 1_000_000
	benchValidate(b, benchFile(b, "netsapiens.user-1m.csv", writeBenchCSV(rows)), rows)
}

// BenchmarkValidateCSV100k validates a 100k-row, 15-column CSV.
func BenchmarkValidateCSV100k(b *testing.B) {
	const rows = 100_000
	benchValidate(b, benchFile(b, "netsapiens.user-100k.csv", writeBenchCSV(rows)), rows)
}

// BenchmarkValidateXLSX100k validates a 100k-row, 15-column workbook
// (reading included, no handler).
func BenchmarkValidateXLSX100k(b *testing.B) {
	const rows = 100_000
	benchValidate(b, benchFile(b, "users-100k.xlsx", writeBenchXLSX(rows)), rows)
}

// BenchmarkValidateFile validates the file named by ONBOARD_BENCH_FILE
// (as --target ONBOARD_BENCH_TARGET, default netsapiens.user), for
// profiling on input written by another generator (cmd/benchdata2):
//
//	ONBOARD_BENCH_FILE=/tmp/users.csv go test -run '^$' -bench ValidateFile -cpuprofile cpu.out ./internal/validate/
func BenchmarkValidateFile(b *testing.B) {
	path := os.Getenv("ONBOARD_BENCH_FILE")
	if path == "" {
		b.Skip("set ONBOARD_BENCH_FILE to a CSV or workbook to validate")
	}
	target := os.Getenv("ONBOARD_BENCH_TARGET")
	if target == "" {
		target = "netsapiens.user"
	}
	b.ReportAllocs()
	rows := 0
	for b.Loop() {
		in, err := intake.Open(path, intake.Options{})
		if err != nil {
			b.Fatal(err)
		}
		sum, err := Run(context.Background(), in, Options{Target: target}, nil)
		_ = in.Close()
		if err != nil {
			b.Fatal(err)
		}
		rows = sum.Rows
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

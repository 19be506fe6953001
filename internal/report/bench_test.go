package report

import (
	"bufio"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/onboard/onboard/internal/intake"
	"github.com/onboard/onboard/internal/validate"
)

var benchHeader = []string{"Domain", "Extension", "First Name", "Last Name", "Login Username", "Email", "User Scope",
	"Department", "Site", "Time Zone", "Voicemail PIN", "Dial By Name Digits", "Ring Timeout (s)", "Area Code", "Caller ID Number"}

// benchRow is the i-th user; every hundredth row has an invalid cell.
func benchRow(i int) []any {
	ext := strconv.Itoa(100000 + i)
	dtmf := strconv.Itoa(200 + i%700)
	if i%100 == 99 {
		dtmf = "1000"
	}
	return []any{"acme.example.com", ext, "Jane", "Smith", "u" + ext + "@acme.example.com", "jane." + ext + "@example.com",
		"basic user", "Sales", "Denver HQ", "America/New_York", "4812", dtmf, "25", "303", "1555" + strconv.Itoa(1000000+i)}
}

var (
	benchOnce sync.Once
	benchPath string
	benchErr  error
)

// benchWorkbook writes a 100k-row, 15-column workbook once per test binary.
func benchWorkbook(b *testing.B) string {
	benchOnce.Do(func() {
		dir, err := os.MkdirTemp("", "report-bench-")
		if err != nil {
			benchErr = err
			return
		}
		benchPath = filepath.Join(dir, "users-100k.xlsx")
		f := excelize.NewFile()
		defer f.Close()
		if benchErr = f.SetSheetName("Sheet1", "NetSapiens Users"); benchErr != nil {
			return
		}
		sw, err := f.NewStreamWriter("NetSapiens Users")
		if err != nil {
			benchErr = err
			return
		}
		header := make([]any, len(benchHeader))
		for i, h := range benchHeader {
			header[i] = h
		}
		if benchErr = sw.SetRow("A1", header); benchErr != nil {
			return
		}
		for i := range 100_000 {
			cell, _ := excelize.CoordinatesToCellName(1, i+2)
			if benchErr = sw.SetRow(cell, benchRow(i)); benchErr != nil {
				return
			}
		}
		if benchErr = sw.Flush(); benchErr != nil {
			return
		}
		benchErr = f.SaveAs(benchPath)
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchPath
}

// BenchmarkValidateWithReport100k is the `onboard validate` path for a
// 100k-row, 15-column workbook: read, validate, write the report.
func BenchmarkValidateWithReport100k(b *testing.B) {
	path := benchWorkbook(b)
	out := filepath.Join(b.TempDir(), "report.xlsx")
	b.ReportAllocs()
	var saving time.Duration
	for b.Loop() {
		in, err := intake.Open(path, intake.Options{})
		if err != nil {
			b.Fatal(err)
		}
		rep, err := NewValidation(path, time.Now())
		if err != nil {
			b.Fatal(err)
		}
		sum, err := validate.Run(context.Background(), in, validate.Options{}, rep)
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		if err := rep.Save(out, sum); err != nil {
			b.Fatal(err)
		}
		saving += time.Since(start)
		_ = rep.Close()
		_ = in.Close()
		if sum.Rows != 100_000 || sum.Invalid != 1000 {
			b.Fatalf("rows %d invalid %d", sum.Rows, sum.Invalid)
		}
	}
	// Save is the part after the last row: what a person waits for once
	// the input is read.
	b.ReportMetric(float64(saving.Milliseconds())/float64(b.N), "save-ms/op")
}

// BenchmarkReportRows100k streams 100k rows of 17 columns into a Book and
// saves it, without reading or validating anything.
func BenchmarkReportRows100k(b *testing.B) {
	out := filepath.Join(b.TempDir(), "rows.xlsx")
	cells := make([][]string, 100)
	for i := range cells {
		for _, v := range benchRow(i) {
			cells[i] = append(cells[i], v.(string))
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		book, err := NewBook()
		if err != nil {
			b.Fatal(err)
		}
		cols := make([]Column, len(benchHeader))
		for i, h := range benchHeader {
			cols[i] = Column{Header: h}
		}
		s, err := book.AddSheet("Data", Layout{Columns: cols, Extra: []Column{{Header: "Status"}, {Header: "Errors"}}})
		if err != nil {
			b.Fatal(err)
		}
		for i := range 100_000 {
			r := Row{Num: i + 2, Cells: cells[i%100], Extra: []Cell{{Value: "valid", Tone: Good}, {}}}
			if i%100 == 99 {
				r.Marks = []Mark{{Col: 11, Tone: Bad, Note: "must be a whole number from 100 to 999; found '1000'"}}
				r.Extra[0] = Cell{Value: "invalid", Tone: Bad}
			}
			if err := s.WriteRow(r); err != nil {
				b.Fatal(err)
			}
		}
		if err := s.Close(); err != nil {
			b.Fatal(err)
		}
		if err := book.Save(out); err != nil {
			b.Fatal(err)
		}
		_ = book.Close()
	}
}

// writeInvalidCSV writes a netsapiens.user CSV of rows users, each with
// two errors: a time zone NetSapiens does not know and a ring timeout
// above 3600 (as `benchdata -invalid` does); every hundredth row has a
// third (benchRow's out-of-range dial-by-name digits).
func writeInvalidCSV(b *testing.B, path string, rows int) {
	fh, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	bw := bufio.NewWriterSize(fh, 1<<20)
	w := csv.NewWriter(bw)
	_ = w.Write(benchHeader)
	cells := make([]string, len(benchHeader))
	for i := range rows {
		for j, v := range benchRow(i) {
			cells[j] = v.(string)
		}
		cells[9], cells[12] = "America/New_Yrok", "4000"
		_ = w.Write(cells)
	}
	w.Flush()
	if err := w.Error(); err != nil {
		b.Fatal(err)
	}
	if err := bw.Flush(); err != nil {
		b.Fatal(err)
	}
	if err := fh.Close(); err != nil {
		b.Fatal(err)
	}
}

// peakHeap samples the heap in use until stop is called, which returns
// the largest value seen, in MB.
func peakHeap() (stop func() float64) {
	done, result := make(chan struct{}), make(chan uint64)
	go func() {
		var peak uint64
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
			select {
			case <-done:
				result <- peak
				return
			case <-tick.C:
			}
		}
	}()
	return func() float64 {
		close(done)
		return float64(<-result) / (1 << 20)
	}
}

// BenchmarkValidateInvalidWithReport1M is `onboard validate --report` on
// a million-row CSV where every row is invalid: every row is marked in
// the report, and the peak heap must stay well under the 200 MB the
// whole process is allowed (issue 9). Reports peak-heap-MB.
func BenchmarkValidateInvalidWithReport1M(b *testing.B) {
	const rows = 1_000_000
	dir := b.TempDir()
	path := filepath.Join(dir, "netsapiens.user.csv")
	writeInvalidCSV(b, path, rows)
	out := filepath.Join(dir, "report.xlsx")
	runtime.GC()
	b.ReportAllocs()
	b.ResetTimer()
	peak := 0.0
	for b.Loop() {
		stop := peakHeap()
		in, err := intake.Open(path, intake.Options{})
		if err != nil {
			b.Fatal(err)
		}
		rep, err := NewValidation(path, time.Now())
		if err != nil {
			b.Fatal(err)
		}
		sum, err := validate.Run(context.Background(), in, validate.Options{}, rep)
		if err != nil {
			b.Fatal(err)
		}
		if err := rep.Save(out, sum); err != nil {
			b.Fatal(err)
		}
		_ = rep.Close()
		_ = in.Close()
		peak = max(peak, stop())
		if sum.Rows != rows || sum.Invalid != rows || sum.ErrorCount() != 2*rows+rows/100 || len(sum.Errors) != validate.DefaultMaxIssues {
			b.Fatalf("rows %d invalid %d errors %d kept %d", sum.Rows, sum.Invalid, sum.ErrorCount(), len(sum.Errors))
		}
	}
	b.ReportMetric(peak, "peak-heap-MB")
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

func TestMain(m *testing.M) {
	code := m.Run()
	if benchPath != "" {
		_ = os.RemoveAll(filepath.Dir(benchPath))
	}
	os.Exit(code)
}

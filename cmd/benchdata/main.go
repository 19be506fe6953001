// Command benchdata writes large netsapiens.user spreadsheets for
// benchmarks: a workbook with one sheet, "netsapiens.user", and a CSV of
// the same 15 columns. Every row is valid unless -invalid is given.
//
//	go run ./cmd/benchdata -xlsx /tmp/users.xlsx -csv /tmp/users.csv
//	go run ./cmd/benchdata -rows 5000 -xlsx small.xlsx -csv small.csv
//	go run ./cmd/benchdata -invalid -csv /tmp/bad.csv
//
// Without -rows the workbook gets 100,000 rows and the CSV 1,000,000, the
// sizes the tool is measured at; -xlsx-rows and -csv-rows set one file's
// rows alone. With -invalid every row of the CSV has two errors: a time
// zone NetSapiens does not know and a ring timeout above 3600 (for
// measuring memory when every row is reported).
package main

import (
	"bufio"
	"encoding/csv"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/onboard/onboard/internal/benchdata"
)

func main() {
	rows := flag.Int("rows", 0, "data rows in each file (default: 100,000 in the workbook, 1,000,000 in the CSV)")
	xlsxRows := flag.Int("xlsx-rows", 0, "data rows in the workbook (overrides -rows)")
	csvRows := flag.Int("csv-rows", 0, "data rows in the CSV (overrides -rows)")
	xlsxPath := flag.String("xlsx", "", "write the workbook to this path")
	csvPath := flag.String("csv", "", "write the CSV to this path")
	invalid := flag.Bool("invalid", false, "make every CSV row invalid (unknown time zone, ring timeout 4000); CSV only")
	flag.Parse()
	if *xlsxPath == "" && *csvPath == "" {
		fmt.Fprintln(os.Stderr, "benchdata: give -xlsx PATH and/or -csv PATH")
		flag.Usage()
		os.Exit(2)
	}
	if *invalid && *xlsxPath != "" {
		fmt.Fprintln(os.Stderr, "benchdata: -invalid writes a CSV only; drop -xlsx or -invalid")
		os.Exit(2)
	}
	if *rows < 0 || *xlsxRows < 0 || *csvRows < 0 {
		fmt.Fprintln(os.Stderr, "benchdata: row counts must not be negative")
		os.Exit(2)
	}
	pick := func(own, fallback int) int {
		switch {
		case own > 0:
			return own
		case *rows > 0:
			return *rows
		}
		return fallback
	}
	write := func(path string, n int, fn func(string, int) error) {
		if path == "" {
			return
		}
		start := time.Now()
		if err := fn(path, n); err != nil {
			fmt.Fprintln(os.Stderr, "benchdata:", err)
			os.Exit(1)
		}
		fmt.Printf("wrote %s: %d rows in %s\n", path, n, time.Since(start).Round(time.Millisecond))
	}
	csvWriter := benchdata.WriteCSVFile
	if *invalid {
		csvWriter = writeInvalidCSV
	}
	write(*xlsxPath, pick(*xlsxRows, 100000), benchdata.WriteXLSX)
	write(*csvPath, pick(*csvRows, 1000000), csvWriter)
}

// Columns spoiled by -invalid, and what they get.
const (
	badTimeZone    = "America/New_Yrok" // a near miss: the message suggests the right name
	badRingTimeout = "4000"             // above the 3600 allowed
)

// invalidTexts is row i of benchdata with its time zone and ring timeout
// spoiled.
func invalidTexts(i int) []string {
	row := benchdata.Texts(i)
	for j, key := range benchdata.Header {
		switch key {
		case "time-zone":
			row[j] = badTimeZone
		case "ring-no-answer-timeout-seconds":
			row[j] = badRingTimeout
		}
	}
	return row
}

// writeInvalidCSV writes the header and rows invalid rows to a new file.
func writeInvalidCSV(path string, rows int) (err error) {
	out, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	defer func() {
		if cerr := out.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("close %s: %w", path, cerr)
		}
	}()
	bw := bufio.NewWriterSize(out, 1<<16)
	cw := csv.NewWriter(bw)
	if err := cw.Write(benchdata.Header); err != nil {
		return fmt.Errorf("%s: write header: %w", path, err)
	}
	for i := range rows {
		if err := cw.Write(invalidTexts(i)); err != nil {
			return fmt.Errorf("%s: write row %d: %w", path, i+2, err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("%s: write rows: %w", path, err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("%s: write rows: %w", path, err)
	}
	return nil
}

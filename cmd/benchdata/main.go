// Command benchdata writes large, valid netsapiens.user spreadsheets for
// benchmarks: a workbook with one sheet, "netsapiens.user", and a CSV of
// the same 15 columns.
//
//	go run ./cmd/benchdata -xlsx /tmp/users.xlsx -csv /tmp/users.csv
//	go run ./cmd/benchdata -rows 5000 -xlsx small.xlsx -csv small.csv
//
// Without -rows the workbook gets 100,000 rows and the CSV 1,000,000, the
// sizes the tool is measured at; -xlsx-rows and -csv-rows set one file's
// rows alone.
package main

import (
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
	flag.Parse()
	if *xlsxPath == "" && *csvPath == "" {
		fmt.Fprintln(os.Stderr, "benchdata: give -xlsx PATH and/or -csv PATH")
		flag.Usage()
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
	write(*xlsxPath, pick(*xlsxRows, 100000), benchdata.WriteXLSX)
	write(*csvPath, pick(*csvRows, 1000000), benchdata.WriteCSVFile)
}

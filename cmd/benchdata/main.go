// Command benchdata writes large, valid netsapiens.user spreadsheets for
// benchmarks:
//
//	go run ./cmd/benchdata -rows 100000 -xlsx users.xlsx -csv users.csv
//
// -rows sets the data rows of both files unless -xlsx-rows or -csv-rows
// override one of them.
package main

import (
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/onboard/onboard/internal/benchdata"
)

func main() {
	rows := flag.Int("rows", 100000, "data rows in each file")
	xlsxRows := flag.Int("xlsx-rows", 0, "data rows in the workbook (default -rows)")
	csvRows := flag.Int("csv-rows", 0, "data rows in the CSV (default -rows)")
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
	if *xlsxRows == 0 {
		*xlsxRows = *rows
	}
	if *csvRows == 0 {
		*csvRows = *rows
	}
	if *xlsxPath != "" {
		start := time.Now()
		if err := benchdata.WriteXLSX(*xlsxPath, *xlsxRows); err != nil {
			fmt.Fprintln(os.Stderr, "benchdata:", err)
			os.Exit(1)
		}
		fmt.Printf("wrote %s: %d rows in %s\n", *xlsxPath, *xlsxRows, time.Since(start).Round(time.Millisecond))
	}
	if *csvPath != "" {
		start := time.Now()
		if err := benchdata.WriteCSVFile(*csvPath, *csvRows); err != nil {
			fmt.Fprintln(os.Stderr, "benchdata:", err)
			os.Exit(1)
		}
		fmt.Printf("wrote %s: %d rows in %s\n", *csvPath, *csvRows, time.Since(start).Round(time.Millisecond))
	}
}

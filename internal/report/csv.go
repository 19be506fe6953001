package report

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/gocarina/gocsv"

	"github.com/onboard/onboard/internal/outcome"
)

// RecordCSV is one row of the results CSV of a per-vendor run: the
// columns of the result workbook's outcome part.
type RecordCSV struct {
	Sheet    string `csv:"Sheet"`
	Row      int    `csv:"Row"`
	System   string `csv:"System"`
	Target   string `csv:"Target"`
	Key      string `csv:"Key"`
	Status   string `csv:"Status"`
	VendorID string `csv:"Vendor ID"`
	Message  string `csv:"Message"`
	Attempts int    `csv:"Attempts"`
}

// PersonCSV is one row of the results CSV of an HR sheet run: the person
// and, per system, a status and the vendor's ID.
type PersonCSV struct {
	Sheet    string `csv:"Sheet"`
	Row      int    `csv:"Row"`
	Name     string `csv:"Name"`
	Status   string `csv:"Overall"`
	Problems string `csv:"Problems"`
	Systems  string `csv:"Systems"` // "NetSapiens phone: created (ID 101); Acefone: invalid"
}

// WriteResultsCSV writes the results as CSV for other tools: one row per
// person for HR sheet runs, else one row per record. Cells that a
// spreadsheet would run as a formula are defused. The file appears
// complete or not at all.
func WriteResultsCSV(path string, res *outcome.Result) error {
	var rows any
	if res.People != nil {
		rows = personRows(res)
	} else {
		rows = recordRows(res)
	}
	return writeCSVAtomic(path, func(f *os.File) error { return gocsv.MarshalFile(rows, f) })
}

func recordRows(res *outcome.Result) []*RecordCSV {
	out := make([]*RecordCSV, 0, len(res.Records))
	for _, r := range res.Records {
		out = append(out, &RecordCSV{Sheet: safe(r.Sheet), Row: r.Row, System: r.System, Target: r.Target, Key: safe(r.Key),
			Status: r.Status.String(), VendorID: safe(r.ID), Message: safe(r.Message), Attempts: r.Attempts})
	}
	return out
}

func personRows(res *outcome.Result) []*PersonCSV {
	out := make([]*PersonCSV, 0, len(res.People))
	for _, p := range res.People {
		var systems []string
		for _, t := range outcome.Targets([]outcome.Person{p}, nil) {
			s := p.Systems[t]
			text := s.Name + ": " + s.Status.String()
			if s.ID != "" {
				text += " (ID " + s.ID + ")"
			}
			systems = append(systems, text)
		}
		out = append(out, &PersonCSV{Sheet: safe(p.Sheet), Row: p.Row, Name: safe(p.Name), Status: p.Status.String(),
			Problems: safe(strings.Join(p.Problems, "; ")), Systems: safe(strings.Join(systems, "; "))})
	}
	return out
}

// safe defuses a cell a spreadsheet would evaluate (=, +, -, @ first).
func safe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// writeCSVAtomic writes through a temporary file in the same folder,
// renamed into place.
func writeCSVAtomic(path string, write func(*os.File) error) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create folder for %s: %w", path, err)
	}
	tmp, err := os.CreateTemp(dir, ".onboard-csv-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := write(tmp); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

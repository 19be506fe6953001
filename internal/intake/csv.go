package intake

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
)

type csvFile struct {
	path string
	f    *os.File
}

func openCSV(path string) (File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &UnusableError{Path: path, Reason: "cannot open the file: " + err.Error()}
	}
	return &csvFile{path: path, f: f}, nil
}

func (c *csvFile) Path() string   { return c.path }
func (c *csvFile) Format() string { return "csv" }
func (c *csvFile) SheetNames() []string {
	return []string{strings.TrimSuffix(filepath.Base(c.path), filepath.Ext(c.path))}
}
func (c *csvFile) Close() error { return c.f.Close() }

func (c *csvFile) Rows(string) (RowReader, error) {
	r := csv.NewReader(c.f)
	r.FieldsPerRecord = -1
	r.ReuseRecord = false
	rr := &csvRows{r: r}
	if err := rr.readHeader(); err != nil {
		return nil, err
	}
	return rr, nil
}

type csvRows struct {
	r      *csv.Reader
	header []string
	hrow   int
	err    error
}

func (c *csvRows) readHeader() error {
	for {
		rec, err := c.r.Read()
		if err != nil {
			return err
		}
		line, _ := c.r.FieldPos(0)
		cleanAll(rec)
		if !blank(rec) {
			c.header, c.hrow = rec, line
			return nil
		}
	}
}

func (c *csvRows) Header() []string { return c.header }
func (c *csvRows) HeaderRow() int   { return c.hrow }
func (c *csvRows) Err() error       { return c.err }
func (c *csvRows) Close() error     { return nil }

func (c *csvRows) Next() (Row, bool) {
	for {
		rec, err := c.r.Read()
		if err != nil {
			if err.Error() != "EOF" {
				c.err = err
			}
			return Row{}, false
		}
		line, _ := c.r.FieldPos(0)
		cleanAll(rec)
		if blank(rec) {
			continue
		}
		return Row{Num: line, Cells: pad(rec, len(c.header))}, true
	}
}

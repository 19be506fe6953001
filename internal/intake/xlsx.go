package intake

import (
	"github.com/xuri/excelize/v2"
)

type xlsxFile struct {
	path string
	f    *excelize.File
}

func openXLSX(path string, opt Options) (File, error) {
	max := opt.MaxUnzippedBytes
	if max == 0 {
		max = DefaultMaxUnzippedBytes
	}
	f, err := excelize.OpenFile(path, excelize.Options{UnzipSizeLimit: max})
	if err != nil {
		return nil, &UnusableError{Path: path, Reason: "not a readable .xlsx workbook (" + err.Error() + ")", Fix: "save it from Excel as 'Excel Workbook (.xlsx)' or as CSV"}
	}
	return &xlsxFile{path: path, f: f}, nil
}

func (x *xlsxFile) Path() string         { return x.path }
func (x *xlsxFile) Format() string       { return "xlsx" }
func (x *xlsxFile) SheetNames() []string { return x.f.GetSheetList() }
func (x *xlsxFile) Close() error         { return x.f.Close() }

func (x *xlsxFile) Rows(sheet string) (RowReader, error) {
	rows, err := x.f.Rows(sheet)
	if err != nil {
		return nil, err
	}
	xr := &xlsxRows{rows: rows}
	for rows.Next() {
		xr.num++
		cells, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, err
		}
		cleanAll(cells)
		if !blank(cells) {
			xr.header, xr.hrow = cells, xr.num
			break
		}
	}
	return xr, rows.Error()
}

type xlsxRows struct {
	rows   *excelize.Rows
	header []string
	hrow   int
	num    int
	err    error
}

func (x *xlsxRows) Header() []string { return x.header }
func (x *xlsxRows) HeaderRow() int   { return x.hrow }
func (x *xlsxRows) Err() error       { return x.err }
func (x *xlsxRows) Close() error     { return x.rows.Close() }

func (x *xlsxRows) Next() (Row, bool) {
	for x.rows.Next() {
		x.num++ // TODO(intake): use the row's own number, sparse rows skip numbers
		cells, err := x.rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			x.err = err
			return Row{}, false
		}
		cleanAll(cells)
		if blank(cells) {
			continue
		}
		return Row{Num: x.num, Cells: pad(cells, len(x.header))}, true
	}
	x.err = x.rows.Error()
	return Row{}, false
}

package report

import (
	"context"
	"fmt"

	"github.com/onboard/onboard/internal/connector"
	"github.com/onboard/onboard/internal/intake"
	"github.com/onboard/onboard/internal/outcome"
	"github.com/onboard/onboard/internal/validate"
)

// Result columns appended after the input's columns.
const (
	VendorIDHeader = "Vendor ID"
	MessageHeader  = "Message"
	AttemptsHeader = "Attempts"
)

// Source says how to read a run's input again for its result workbook,
// exactly as the run read it.
type Source struct {
	Validate       validate.Options // per-vendor sheets: the options in effect
	HRSheet        string           // HR sheet runs: the sheet the people came from
	PasswordColumn string           // HR sheet runs: the header of the column to mask
}

// statusTone colours a record status.
func statusTone(s outcome.Status) Tone {
	switch {
	case s == outcome.Created || s == outcome.WouldCreate:
		return Good
	case s == outcome.Exists || s == outcome.DoneEarlier:
		return Info
	case s.Problem():
		return Bad
	default:
		return Caution
	}
}

// WriteResult writes the result (or dry-run) workbook of a run to path: a
// Summary sheet in people first, the input sheet(s) with their original
// columns (secrets masked) and the outcome of each row, a Records sheet
// for HR sheet runs, and an IT details sheet. The input is read again,
// streaming, so memory does not grow with its size.
func WriteResult(ctx context.Context, path string, res *outcome.Result, src Source) error {
	book, err := NewBook()
	if err != nil {
		return err
	}
	defer book.Close()
	sheets := map[string]string{}
	if res.People != nil {
		name, err := writePeople(book, res, src)
		if err != nil {
			return fmt.Errorf("result workbook: %w", err)
		}
		sheets[src.HRSheet] = name
		if err := writeRecords(book, res); err != nil {
			return fmt.Errorf("result workbook: %w", err)
		}
	} else if err := writeSheets(ctx, book, res, src, sheets); err != nil {
		return fmt.Errorf("result workbook: %w", err)
	}
	if err := book.WriteSummary(resultSummary(res, sheets)); err != nil {
		return err
	}
	if err := book.WriteInfo(ITSheet, itDetails(res)); err != nil {
		return err
	}
	return book.Save(path)
}

// writeSheets writes each per-vendor input sheet with its rows' outcomes.
func writeSheets(ctx context.Context, book *Book, res *outcome.Result, src Source, sheets map[string]string) error {
	in, err := intake.Open(res.Input, intake.Options{})
	if err != nil {
		return fmt.Errorf("read %s again: %w", res.Input, err)
	}
	defer in.Close()
	idx := make(map[sheetRow]int, len(res.Records))
	for i, r := range res.Records {
		idx[sheetRow{r.Sheet, r.Row}] = i
	}
	w := &resultWriter{book: book, res: res, index: idx, sheets: sheets}
	_, err = validate.Run(ctx, in, src.Validate, w)
	return err
}

type sheetRow struct {
	sheet string
	row   int
}

// resultWriter is the validate.Handler that writes each row with its
// outcome.
type resultWriter struct {
	book   *Book
	sheet  *Sheet
	res    *outcome.Result
	index  map[sheetRow]int
	sheets map[string]string // input sheet → report sheet
}

func (w *resultWriter) BeginSheet(s *validate.Sheet) error {
	l := inputLayout(s, []Column{
		{Header: StatusHeader, Width: 13}, {Header: VendorIDHeader, Width: 24},
		{Header: MessageHeader, Width: 70}, {Header: AttemptsHeader, Width: 9}})
	sh, err := w.book.AddSheet(s.Name, l)
	if err != nil {
		return err
	}
	w.sheet = sh
	w.sheets[s.Name] = sh.Name()
	return nil
}

func (w *resultWriter) Row(r *validate.RowResult) error {
	row := Row{Num: r.Row.Num, Cells: r.Row.Cells, Extra: make([]Cell, 4)}
	for _, is := range r.Issues {
		if is.Col >= 0 {
			row.Marks = append(row.Marks, Mark{Col: is.Col, Tone: issueTone(is), Note: is.Detail})
		}
	}
	o := outcome.Record{Status: outcome.NotSent, Message: "not sent: not reached"}
	if i, ok := w.index[sheetRow{r.Sheet, r.Row.Num}]; ok {
		o = w.res.Records[i]
	}
	row.Extra[0] = Cell{Value: o.Status.String(), Tone: statusTone(o.Status)}
	row.Extra[1] = Cell{Value: o.ID}
	row.Extra[2] = Cell{Value: o.Message}
	if o.Attempts > 0 {
		row.Extra[3] = Cell{Value: o.Attempts}
	}
	return w.sheet.WriteRow(row)
}

func (w *resultWriter) EndSheet(*validate.Sheet) error {
	if w.sheet == nil {
		return nil
	}
	err := w.sheet.Close()
	w.sheet = nil
	return err
}

// ITSheet is the name of the sheet with the run's technical details.
const ITSheet = "IT details"

// itDetails is the IT details sheet: when, what version, the requests per
// vendor and the configuration in effect, secrets removed.
func itDetails(res *outcome.Result) Summary {
	s := Summary{Title: "IT details", Facts: []Fact{
		{Label: "Run ID", Value: res.RunID},
		{Label: "Input", Value: res.Input},
		{Label: "Started", Value: res.Start.Format("2006-01-02 15:04:05 MST")},
		{Label: "Ended", Value: res.End.Format("2006-01-02 15:04:05 MST")},
		{Label: "Duration", Value: res.End.Sub(res.Start).Round(1e6).String()},
		{Label: "onboard version", Value: connector.Version},
	}}
	for _, n := range res.Notices {
		s.Facts = append(s.Facts, Fact{Label: "Note", Value: n, Tone: Caution})
	}
	vendors := Table{Title: "Requests by vendor", Header: []string{"Vendor", "Requests", "Creates", "Lookups", "Retries", "Throttled (429)", "Paused"}}
	for _, v := range res.Vendors {
		vendors.Rows = append(vendors.Rows, []Cell{{Value: v.Vendor}, {Value: v.Requests}, {Value: v.Creates}, {Value: v.Lookups},
			{Value: v.Retries}, {Value: v.Throttled}, {Value: v.Paused.Round(1e6).String()}})
	}
	if len(vendors.Rows) == 0 {
		vendors.Note = "no requests were sent"
	}
	s.Tables = append(s.Tables, vendors)
	if len(res.Settings) > 0 {
		cfg := Table{Title: "Configuration (secrets removed)", Header: []string{"Vendor", "Key", "Value"}}
		for _, st := range res.Settings {
			cfg.Rows = append(cfg.Rows, []Cell{{Value: st.Vendor}, {Value: st.Key}, {Value: st.Value}})
		}
		s.Tables = append(s.Tables, cfg)
	}
	return s
}

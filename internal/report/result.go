package report

import (
	"context"
	"fmt"
	"strings"

	"github.com/onboard/onboard/internal/batch"
	"github.com/onboard/onboard/internal/connector"
	"github.com/onboard/onboard/internal/intake"
	"github.com/onboard/onboard/internal/validate"
)

// Result columns appended after the input's columns.
const (
	VendorIDHeader = "Vendor ID"
	MessageHeader  = "Message"
	AttemptsHeader = "Attempts"
)

// statusTone colours a row status in the result workbook.
func statusTone(status string) Tone {
	switch status {
	case batch.StatusCreated:
		return Good
	case batch.StatusExists:
		return Caution
	case batch.StatusInvalid, batch.StatusFailed:
		return Bad
	default:
		return Info
	}
}

// WriteResult writes the result workbook of a run to path: a Summary
// sheet, then each input sheet with its original columns (secrets
// masked), invalid cells marked as in the validation report, and Status,
// Vendor ID, Message and Attempts per row. The input is read again,
// streaming, so memory does not grow with its size.
func WriteResult(ctx context.Context, path string, res *batch.Result) error {
	in, err := intake.Open(res.Input, intake.Options{})
	if err != nil {
		return fmt.Errorf("read %s again for the result workbook: %w", res.Input, err)
	}
	defer in.Close()
	book, err := NewBook()
	if err != nil {
		return err
	}
	defer book.Close()
	w := &resultWriter{book: book, lookup: res.Lookup(), sheets: map[string]string{}}
	if len(res.People) > 0 {
		name, err := writePeople(ctx, book, res)
		if err != nil {
			return fmt.Errorf("result workbook: %w", err)
		}
		w.sheets[res.People[0].Sheet] = name
		if err := writeRecords(book, res); err != nil {
			return fmt.Errorf("result workbook: %w", err)
		}
	} else if _, err := validate.Run(ctx, in, res.ValidateOptions, w); err != nil {
		return fmt.Errorf("result workbook: %w", err)
	}
	if err := book.WriteSummary(resultSummary(res, w.sheets)); err != nil {
		return err
	}
	return book.Save(path)
}

// resultWriter is the validate.Handler that writes each row with its
// outcome.
type resultWriter struct {
	book   *Book
	sheet  *Sheet
	lookup func(sheet string, row int) (batch.Outcome, bool)
	sheets map[string]string // input sheet → report sheet
}

func (w *resultWriter) BeginSheet(s *validate.Sheet) error {
	l := inputLayout(s, []Column{
		{Header: StatusHeader, Width: 10}, {Header: VendorIDHeader, Width: 24},
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
			row.Marks = append(row.Marks, Mark{Col: is.Col, Tone: Bad, Note: is.Detail})
		}
	}
	o, ok := w.lookup(r.Sheet, r.Row.Num)
	if !ok {
		o = batch.Outcome{Status: batch.StatusNotSent, Message: "not sent: not reached"}
	}
	row.Extra[0] = Cell{Value: o.Status, Tone: statusTone(o.Status)}
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

func resultSummary(res *batch.Result, sheets map[string]string) Summary {
	verdict, tone := "Every row was created or already existed", Good
	switch {
	case res.Interrupted:
		verdict, tone = "Interrupted: run the same command again to send the rest", Caution
	case res.DryRun:
		verdict, tone = "Dry run: nothing was sent", Info
	case !res.OK():
		verdict, tone = "Some rows were not created: see the Status and Message columns", Bad
	}
	title := "Result"
	if res.DryRun {
		title = "Dry run"
	}
	s := Summary{Title: title, Facts: []Fact{
		{Label: "Input", Value: res.Input},
		{Label: "Started", Value: res.Start.Format("2006-01-02 15:04:05 MST")},
		{Label: "Ended", Value: res.End.Format("2006-01-02 15:04:05 MST")},
		{Label: "Duration", Value: res.End.Sub(res.Start).Round(1e6).String()},
		{Label: "Result", Value: verdict, Tone: tone},
		{Label: "Rows", Value: len(res.Outcomes)},
		{Label: "onboard version", Value: connector.Version},
	}}
	if len(res.People) > 0 {
		counts := map[string]int{}
		for _, p := range res.PeopleResults() {
			counts[p.Status]++
		}
		s.Facts = append(s.Facts,
			Fact{Label: "People", Value: len(res.People)},
			Fact{Label: "All done", Value: counts[batch.PersonDone], Tone: Good},
			Fact{Label: "Partly done", Value: counts[batch.PersonPartial], Tone: Caution},
			Fact{Label: "Failed", Value: counts[batch.PersonFailed], Tone: Bad})
		if res.CredentialsCount > 0 {
			s.Facts = append(s.Facts, Fact{Label: "Generated passwords", Value: fmt.Sprintf(
				"%d, in %s only (readable by you alone; hand them over and delete the file)", res.CredentialsCount, res.Credentials)})
		}
	}
	statuses := []string{batch.StatusCreated, batch.StatusExists, batch.StatusInvalid, batch.StatusFailed, batch.StatusNotSent}
	for _, st := range statuses {
		n := res.Count(st)
		t := Plain
		if n > 0 {
			t = statusTone(st)
		}
		s.Facts = append(s.Facts, Fact{Label: strings.ToUpper(st[:1]) + st[1:], Value: n, Tone: t})
	}

	byTarget := Table{Title: "Rows by target", Header: append([]string{"Target", "Sheet", "Report sheet"}, statuses...)}
	type key struct{ target, sheet string }
	counts := map[key]map[string]int{}
	var order []key
	for _, o := range res.Outcomes {
		k := key{o.Target, o.Sheet}
		if counts[k] == nil {
			counts[k] = map[string]int{}
			order = append(order, k)
		}
		counts[k][o.Status]++
	}
	for _, k := range order {
		row := []Cell{{Value: k.target}, {Value: k.sheet}, {Value: sheets[k.sheet]}}
		for _, st := range statuses {
			row = append(row, Cell{Value: counts[k][st]})
		}
		byTarget.Rows = append(byTarget.Rows, row)
	}
	s.Tables = append(s.Tables, byTarget)

	vendors := Table{Title: "Requests by vendor", Header: []string{"Vendor", "Requests", "Creates", "Lookups", "Retries", "Throttled (429)", "Paused"}}
	for _, name := range res.VendorNames() {
		v := res.Stats.Vendors[name]
		vendors.Rows = append(vendors.Rows, []Cell{{Value: name}, {Value: v.Requests}, {Value: v.Creates}, {Value: v.Lookups},
			{Value: v.Retries}, {Value: v.Throttled}, {Value: v.Paused.Round(1e6).String()}})
	}
	if len(vendors.Rows) == 0 {
		vendors.Note = "no requests were sent"
	}
	s.Tables = append(s.Tables, vendors)

	if res.Config != nil {
		cfg := Table{Title: "Configuration (secrets removed)", Header: []string{"Vendor", "Key", "Value"}}
		for _, st := range res.Config.Redacted() {
			cfg.Rows = append(cfg.Rows, []Cell{{Value: st.Vendor}, {Value: st.Key}, {Value: st.Value}})
		}
		s.Tables = append(s.Tables, cfg)
	}
	return s
}

package report

import (
	"context"
	"fmt"
	"sort"

	"github.com/onboard/onboard/internal/batch"
	"github.com/onboard/onboard/internal/hires"
	"github.com/onboard/onboard/internal/intake"
)

// writePeople writes the HR sheet of a --plan run: one row per hire with
// HR's own columns (the Password column masked), then a status and vendor
// ID per system and an overall status. The sheet is read again,
// streaming.
func writePeople(ctx context.Context, book *Book, res *batch.Result) (string, error) {
	if len(res.People) == 0 {
		return "", nil
	}
	sheetName := res.People[0].Sheet
	in, err := intake.Open(res.Input, intake.Options{})
	if err != nil {
		return "", fmt.Errorf("read %s again for the result workbook: %w", res.Input, err)
	}
	defer in.Close()
	rows, err := in.Rows(sheetName)
	if err != nil {
		return "", fmt.Errorf("read sheet %q again: %w", sheetName, err)
	}
	defer rows.Close()

	people := res.PeopleResults()
	byRow := make(map[int]batch.PersonResult, len(people))
	systems := map[string]bool{}
	for _, p := range people {
		byRow[p.Row] = p
		for t := range p.Systems {
			systems[t] = true
		}
	}
	var targets []string
	for t := range systems {
		targets = append(targets, t)
	}
	sort.Strings(targets)

	l := Layout{HeaderRow: rows.HeaderRow(), Extra: []Column{{Header: "Overall", Width: 12}}}
	l.Columns = hrColumns(rows.Header(), res.People)
	for _, t := range targets {
		l.Extra = append(l.Extra, Column{Header: t + " status", Width: 12}, Column{Header: t + " ID", Width: 22}, Column{Header: t + " message", Width: 40})
	}
	sh, err := book.AddSheet(sheetName, l)
	if err != nil {
		return "", err
	}
	for {
		r, ok := rows.Next()
		if !ok {
			break
		}
		p := byRow[r.Num]
		row := Row{Num: r.Num, Cells: r.Cells, Extra: make([]Cell, len(l.Extra))}
		row.Extra[0] = Cell{Value: p.Status, Tone: personTone(p.Status)}
		for i, t := range targets {
			s, ok := p.Systems[t]
			if !ok {
				row.Extra[1+3*i] = Cell{Value: "—"}
				continue
			}
			row.Extra[1+3*i] = Cell{Value: s.Status, Tone: statusTone(s.Status)}
			row.Extra[2+3*i] = Cell{Value: s.ID}
			row.Extra[3+3*i] = Cell{Value: s.Message}
		}
		if err := sh.WriteRow(row); err != nil {
			return "", err
		}
	}
	if err := rows.Err(); err != nil {
		return "", fmt.Errorf("read sheet %q again: %w", sheetName, err)
	}
	return sh.Name(), sh.Close()
}

func personTone(status string) Tone {
	switch status {
	case batch.PersonDone:
		return Good
	case batch.PersonPartial:
		return Caution
	default:
		return Bad
	}
}

// writeRecords lists every vendor record of a --plan run (sites
// included) with its outcome.
func writeRecords(book *Book, res *batch.Result) error {
	l := Layout{Columns: []Column{{Header: "Target", Width: 20}, {Header: "HR row", Width: 8}, {Header: "Key", Width: 36}},
		Extra: []Column{{Header: StatusHeader, Width: 10}, {Header: VendorIDHeader, Width: 24}, {Header: MessageHeader, Width: 70}, {Header: AttemptsHeader, Width: 9}}}
	sh, err := book.AddSheet("Records", l)
	if err != nil {
		return err
	}
	for i, o := range res.Outcomes {
		row := Row{Num: i + 2, Cells: []string{o.Target, fmt.Sprint(o.Row), o.Key}, Extra: []Cell{
			{Value: o.Status, Tone: statusTone(o.Status)}, {Value: o.ID}, {Value: o.Message}, {}}}
		if o.Attempts > 0 {
			row.Extra[3] = Cell{Value: o.Attempts}
		}
		if err := sh.WriteRow(row); err != nil {
			return err
		}
	}
	return sh.Close()
}

// hrColumns are the columns of HR's sheet as written, its Password column
// masked.
func hrColumns(header []string, people []*hires.Person) []Column {
	password := ""
	if len(people) > 0 {
		password = people[0].Header(hires.Password)
	}
	cols := make([]Column, len(header))
	for i, h := range header {
		cols[i] = Column{Header: h, Secret: password != "" && h == password}
	}
	return cols
}

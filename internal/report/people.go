package report

import (
	"fmt"
	"strings"

	"github.com/onboard/onboard/internal/intake"
	"github.com/onboard/onboard/internal/outcome"
	"github.com/onboard/onboard/internal/registry"
)

// writePeople writes the HR sheet of a --plan run: one row per hire with
// HR's own columns (the Password column masked), then the person's overall
// status and problems, and a status and vendor ID per system under the
// system's plain name. The sheet is read again, streaming.
func writePeople(book *Book, res *outcome.Result, src Source) (string, error) {
	in, err := intake.Open(res.Input, intake.Options{})
	if err != nil {
		return "", fmt.Errorf("read %s again: %w", res.Input, err)
	}
	defer in.Close()
	rows, err := in.Rows(src.HRSheet)
	if err != nil {
		return "", fmt.Errorf("read sheet %q again: %w", src.HRSheet, err)
	}
	defer rows.Close()

	byRow := make(map[int]*outcome.Person, len(res.People))
	for i := range res.People {
		byRow[res.People[i].Row] = &res.People[i]
	}
	targets := outcome.Targets(res.People, registry.IDs())
	l := Layout{HeaderRow: rows.HeaderRow(), Columns: maskedColumns(rows.Header(), src.PasswordColumn),
		Extra: []Column{{Header: "Overall", Width: 13}, {Header: "Problems", Width: 60}}}
	for _, t := range targets {
		name := systemName(t)
		l.Extra = append(l.Extra, Column{Header: name, Width: float64(max(13, len(name)+2))}, Column{Header: name + " ID", Width: float64(max(22, len(name)+5))})
	}
	sh, err := book.AddSheet(src.HRSheet, l)
	if err != nil {
		return "", err
	}
	for {
		r, ok := rows.Next()
		if !ok {
			break
		}
		if err := sh.WriteRow(personRow(r, byRow[r.Num], targets, len(l.Extra))); err != nil {
			return "", err
		}
	}
	if err := rows.Err(); err != nil {
		return "", fmt.Errorf("read sheet %q again: %w", src.HRSheet, err)
	}
	return sh.Name(), sh.Close()
}

// personRow is one HR row with its person's outcome.
func personRow(r intake.Row, p *outcome.Person, targets []string, extra int) Row {
	row := Row{Num: r.Num, Cells: r.Cells, Extra: make([]Cell, extra)}
	if p == nil { // a row the run did not read as a person (the example row)
		row.Extra[0] = Cell{Value: "skipped", Tone: Info}
		return row
	}
	row.Extra[0] = Cell{Value: p.Status.String(), Tone: personTone(p.Status)}
	row.Extra[1] = Cell{Value: strings.Join(p.Problems, "\n")}
	for i, t := range targets {
		s, ok := p.Systems[t]
		if !ok {
			row.Extra[2+2*i] = Cell{Value: "—"}
			continue
		}
		row.Extra[2+2*i] = Cell{Value: s.Status.String(), Tone: statusTone(s.Status)}
		row.Extra[3+2*i] = Cell{Value: s.ID}
	}
	return row
}

func systemName(targetID string) string {
	if t := registry.Target(targetID); t != nil {
		return t.SystemName()
	}
	return targetID
}

func personTone(s outcome.PersonStatus) Tone {
	switch s {
	case outcome.AllDone, outcome.Ready:
		return Good
	case outcome.PartlyDone, outcome.NotFinished:
		return Caution
	}
	return Bad
}

// writeRecords lists every vendor record of a --plan run (sites
// included) with its outcome.
func writeRecords(book *Book, res *outcome.Result) error {
	l := Layout{Columns: []Column{{Header: "System", Width: 18}, {Header: "HR row", Width: 8}, {Header: "Person", Width: 22}, {Header: "Key", Width: 36}},
		Extra: []Column{{Header: StatusHeader, Width: 13}, {Header: VendorIDHeader, Width: 24}, {Header: MessageHeader, Width: 70}, {Header: AttemptsHeader, Width: 9}}}
	sh, err := book.AddSheet("Records", l)
	if err != nil {
		return err
	}
	for i, o := range res.Records {
		person := ""
		if o.Person >= 0 && o.Person < len(res.People) {
			person = res.People[o.Person].Name
		} else if o.Shared {
			person = "(the whole office)"
		}
		row := Row{Num: i + 2, Cells: []string{o.System, fmt.Sprint(o.Row), person, o.Key}, Extra: []Cell{
			{Value: o.Status.String(), Tone: statusTone(o.Status)}, {Value: o.ID}, {Value: o.Message}, {}}}
		if o.Attempts > 0 {
			row.Extra[3] = Cell{Value: o.Attempts}
		}
		if err := sh.WriteRow(row); err != nil {
			return err
		}
	}
	return sh.Close()
}

// maskedColumns are the columns of HR's sheet as written, the password
// column masked.
func maskedColumns(header []string, password string) []Column {
	cols := make([]Column, len(header))
	for i, h := range header {
		cols[i] = Column{Header: h, Secret: password != "" && h == password}
	}
	return cols
}

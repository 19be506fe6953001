package validate

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/onboard/onboard/internal/intake"
	"github.com/onboard/onboard/internal/registry"
	"github.com/onboard/onboard/internal/schema"
)

// batchSize is how many rows travel together from the reader to a worker:
// large enough to make channel hand-offs cheap, small enough to keep
// memory flat.
const batchSize = 256

// Run validates every sheet of in that feeds a target and returns the
// Summary. Rows are read on one goroutine, checked by Options.Workers
// goroutines, and passed to h (which may be nil) in input order, with
// uniqueness checked in that order, so memory does not grow with the
// number of rows (only the compact uniqueness index does).
//
// Errors: *intake.UnusableError when the input cannot be used at all (a
// CSV whose target is unknown, a workbook with no target sheet, a read
// failure), *OptionError for bad options, the handler's error, or the
// context's error when ctx is cancelled. The Summary so far is returned
// with any error.
func Run(ctx context.Context, in intake.File, opt Options, h Handler) (*Summary, error) {
	r := &run{in: in, opt: opt, h: h, sum: newSummary(in.Path()), seed: maphash.MakeSeed(),
		defaults: map[*schema.Target][]any{}, unique: map[*schema.Target][]*uniqueIndex{}}
	defer r.release()
	r.maxIssues = opt.MaxIssues
	if r.maxIssues == 0 {
		r.maxIssues = DefaultMaxIssues
	}
	r.checkOnly = readsNoRecords(h)
	if h == nil {
		r.h, r.recycle = Handlers(nil), true
	}
	var forced *schema.Target
	if opt.Target != "" {
		if forced = registry.Target(opt.Target); forced == nil {
			return r.sum, &OptionError{Msg: fmt.Sprintf("unknown target %q; targets are %s", opt.Target, targetIDs())}
		}
	}
	d, err := normalDefaults(opt.Defaults)
	if err != nil {
		return r.sum, err
	}
	r.given = d
	csv := in.Format() == "csv"
	names := in.SheetNames()
	type job struct {
		name   string
		target *schema.Target
	}
	var jobs []job
	for _, name := range names {
		t := r.sheetTarget(name, forced, csv)
		if t == nil {
			r.sum.IgnoredSheets = append(r.sum.IgnoredSheets, name)
			continue
		}
		if in.Hidden(name) && !opt.IncludeHidden {
			r.skipHidden(name, t)
			continue
		}
		jobs = append(jobs, job{name, t})
	}
	if len(jobs) == 0 {
		return r.sum, r.nothingToCheck(csv, names)
	}
	for _, j := range jobs {
		if err := r.sheet(ctx, j.name, j.target); err != nil {
			return r.sum, err
		}
	}
	return r.sum, nil
}

// release frees the run's uniqueness tables once no row is checked any
// more (every goroutine of the run has returned by then).
func (r *run) release() {
	for _, ixs := range r.unique {
		for _, ix := range ixs {
			ix.release()
		}
	}
}

type run struct {
	in        intake.File
	opt       Options
	h         Handler
	sum       *Summary
	maxIssues int
	given     Defaults
	seed      maphash.Seed
	defaults  map[*schema.Target][]any
	unique    map[*schema.Target][]*uniqueIndex
	sheets    []string // validated sheet names, indexed by rowOrdinals' sheet
	ords      rowOrdinals
	// recycle: no handler was given, so nothing keeps a row's result
	// after finish, and a batch's memory (results, records, keys, and
	// the rows' cells when the reader is an intake.Recycler) can be
	// reused for later rows instead of being allocated again.
	recycle bool
	// checkOnly: the handler reads no records, so cells whose values no
	// rule compares are only checked (see RecordFree).
	checkOnly bool
}

// sheetTarget decides which target a sheet feeds. A CSV: --target, else
// the file name ("acefone.user.csv"), else its name as a sheet name. A
// workbook sheet: its name, else --target.
func (r *run) sheetTarget(name string, forced *schema.Target, csv bool) *schema.Target {
	if csv {
		if forced != nil {
			return forced
		}
		if t := registry.MatchFileName(r.in.Path()); t != nil {
			return t
		}
		return registry.MatchSheet(name)
	}
	if t := registry.MatchSheet(name); t != nil {
		return t
	}
	return forced
}

// hrHint points an HR new-hire sheet, read without its plan, at --plan.
const hrHint = "If this is a new-hire sheet with one row per person, give its onboarding plan: --plan plan.yaml (write a starter one with 'onboard init')"

func (r *run) nothingToCheck(csv bool, names []string) error {
	path := r.in.Path()
	if csv {
		return &intake.UnusableError{Path: path, Reason: "cannot tell which target this CSV file is for",
			Fix: fmt.Sprintf("%s; or, for a per-vendor file, name it after a target ID (for example netsapiens.user.csv) or pass --target with one of: %s", hrHint, targetIDs())}
	}
	var labels []string
	for _, t := range registry.Targets() {
		labels = append(labels, quoted(t.Label))
	}
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = quoted(n)
	}
	return &intake.UnusableError{Path: path,
		Reason: fmt.Sprintf("no sheet is named after a target (sheets: %s)", strings.Join(q, ", ")),
		Fix: fmt.Sprintf("%s; or, for per-vendor sheets, rename each to one of %s, or pass --target with one of: %s",
			hrHint, strings.Join(labels, ", "), targetIDs())}
}

func (r *run) where(sheet string) string {
	if r.in.Format() == "csv" {
		return "File " + quoted(filepath.Base(r.in.Path()))
	}
	return "Sheet " + quoted(sheet)
}

// sheet validates one sheet as target t.
func (r *run) sheet(ctx context.Context, name string, t *schema.Target) error {
	defaults, ok := r.defaults[t]
	if !ok {
		var err error
		if defaults, err = targetDefaults(t, r.given); err != nil {
			return err
		}
		r.defaults[t] = defaults
		r.unique[t] = newUniqueIndexes(t)
	}
	s := &Sheet{Name: name, Target: t}
	rr, err := r.in.Rows(name)
	switch {
	case err == nil:
		defer rr.Close()
		s.Header, s.HeaderRow = rr.Header(), rr.HeaderRow()
	case errors.Is(err, intake.ErrNoHeader) && r.in.Format() != "csv":
		// An empty sheet in a workbook is worth a warning, not a refusal of
		// the whole file (a template's unused sheet).
	default:
		return r.readError(name, err)
	}
	sheetIndex := len(r.sheets)
	r.sheets = append(r.sheets, name)
	r.sum.Targets = append(r.sum.Targets, SheetSummary{Target: t.ID, Sheet: name})
	p := newPlan(s, r.where(name), defaults, r.unique[t], r.checkOnly)
	if len(s.Header) == 0 {
		detail := "has no header row and no data; nothing to check"
		s.Issues = append(s.Issues, Issue{Target: t.ID, Sheet: name, Rule: RuleEmptySheet, Severity: Warning, Col: -1,
			Message: p.where + " " + detail, Detail: detail})
	}
	for _, is := range s.Issues {
		r.keep(is)
	}
	if err := r.h.BeginSheet(s); err != nil {
		return err
	}
	if len(s.Header) > 0 {
		if err := r.rows(ctx, rr, p, sheetIndex); err != nil {
			return err
		}
	}
	return r.h.EndSheet(s)
}

func (r *run) readError(sheet string, err error) error {
	var ue *intake.UnusableError
	if errors.As(err, &ue) {
		return err
	}
	return &intake.UnusableError{Path: r.in.Path(), Reason: fmt.Sprintf("cannot read sheet %s: %v", quoted(sheet), err),
		Fix: "save the file again from Excel (or as CSV) and retry"}
}

type batch struct {
	rows    []intake.Row
	results []RowResult
	values  []any    // the results' record values, in one block
	keys    []uint64 // the results' uniqueness key hashes, in one block
	done    chan struct{}
}

// newBatch takes a finished batch to reuse, or makes a new one.
func newBatch(free chan *batch) *batch {
	select {
	case b := <-free:
		clear(b.rows)
		b.rows = b.rows[:0]
		return b
	default:
		return &batch{rows: make([]intake.Row, 0, batchSize)}
	}
}

func (r *run) workers() int {
	if r.opt.Workers > 0 {
		return r.opt.Workers
	}
	return runtime.GOMAXPROCS(0)
}

// rows streams the sheet's data rows through the pipeline: one reader,
// parallel workers, and an in-order collector that checks uniqueness,
// counts, and calls the handler.
func (r *run) rows(ctx context.Context, rr intake.RowReader, p *plan, sheetIndex int) error {
	workers := r.workers()
	g, gctx := errgroup.WithContext(ctx)
	work := make(chan *batch, workers)
	order := make(chan *batch, 2*workers+2)
	free := make(chan *batch, 3*workers+4) // finished batches to reuse (see run.recycle)
	g.Go(func() error {
		defer close(work)
		defer close(order)
		b := newBatch(free)
		send := func() bool {
			b.done = make(chan struct{})
			select {
			case order <- b:
			case <-gctx.Done():
				return false
			}
			select {
			case work <- b:
			case <-gctx.Done():
				return false
			}
			b = newBatch(free)
			return true
		}
		for {
			row, ok := rr.Next()
			if !ok {
				break
			}
			b.rows = append(b.rows, row)
			if len(b.rows) == batchSize && !send() {
				return nil
			}
		}
		if err := rr.Err(); err != nil {
			return r.readError(p.sheet.Name, err)
		}
		if len(b.rows) > 0 {
			send()
		}
		return nil
	})
	for range workers {
		g.Go(func() error {
			w := p.newWorker(r.seed)
			for b := range work {
				w.checkBatch(b)
				close(b.done)
			}
			return nil
		})
	}
	g.Go(func() error {
		first := true
		for b := range order {
			select {
			case <-b.done:
			case <-gctx.Done():
				return gctx.Err()
			}
			if first {
				r.reserve(p, b.rows)
				first = false
			}
			for i, ix := range p.unique {
				ix.warm(b.results, i)
			}
			for i := range b.results {
				if err := r.finish(p, &b.results[i], sheetIndex); err != nil {
					return err
				}
			}
			if r.recycle {
				if rc, ok := rr.(intake.Recycler); ok {
					rc.Recycle(b.rows)
				}
				select {
				case free <- b:
				default:
				}
			}
		}
		return gctx.Err()
	})
	return g.Wait()
}

// maxReserve bounds the rows the uniqueness tables are sized for in
// advance (about 26 MB a rule): an estimate from a CSV's first rows can be
// far off, and a bigger input still grows the tables as it goes.
const maxReserve = 1_500_000

// reserve sizes the sheet's uniqueness tables for the rows a CSV file
// probably holds: its size divided by the length of its first rows.
func (r *run) reserve(p *plan, rows []intake.Row) {
	if r.in.Format() != "csv" || len(p.unique) == 0 || len(rows) == 0 {
		return
	}
	st, err := os.Stat(r.in.Path())
	if err != nil {
		return
	}
	size := 0
	for _, row := range rows {
		for _, c := range row.Cells {
			size += len(c) + 1 // the cell and its comma or line end
		}
	}
	if size == 0 {
		return
	}
	n := min(st.Size()/int64(size)*int64(len(rows)), maxReserve)
	for _, ix := range p.unique {
		ix.reserve(int(n))
	}
}

// finish applies the in-order checks (uniqueness) to a checked row, counts
// it, and hands it on. A template's untouched example row is only noted.
func (r *run) finish(p *plan, res *RowResult, sheetIndex int) error {
	if p.isExample(&res.Row) {
		r.skipExample(p, res.Row.Num)
		return nil
	}
	ord, numbered := r.ords.add(sheetIndex, res.Row.Num)
	for i, ix := range p.unique {
		if res.keys[i] == 0 || !numbered {
			continue
		}
		first, dup := ix.add(res.keys[i], ord)
		if !dup {
			continue
		}
		res.Issues = append(res.Issues, r.duplicate(p, res, ix, first, sheetIndex))
	}
	res.Valid = !hasError(res.Issues) && !p.sheet.Broken
	s := p.sheet
	ts := &r.sum.Targets[len(r.sum.Targets)-1]
	s.Rows++
	ts.Rows++
	r.sum.Rows++
	if res.Valid {
		s.Valid++
		ts.Valid++
		r.sum.Valid++
	} else {
		s.Invalid++
		ts.Invalid++
		r.sum.Invalid++
	}
	for _, is := range res.Issues {
		r.keep(is)
	}
	return r.h.Row(res)
}

func (r *run) duplicate(p *plan, res *RowResult, ix *uniqueIndex, first uint32, sheetIndex int) Issue {
	sheet, row := r.ords.locate(first)
	where := fmt.Sprintf("on row %d", row)
	if sheet != sheetIndex {
		where = fmt.Sprintf("on sheet %s, row %d", quoted(r.sheets[sheet]), row)
	}
	detail := ix.describe(res.Record, where)
	fi := ix.subject
	col := p.colOf[fi]
	for i := len(ix.fis) - 1; col < 0 && i >= 0; i-- {
		fi = ix.fis[i]
		col = p.colOf[fi]
	}
	f := p.target.Fields[fi]
	if col < 0 { // every value of the rule came from defaults
		return Issue{Target: p.target.ID, Sheet: p.sheet.Name, Row: res.Row.Num, Column: f.Label, Field: f.Key,
			Value: schema.Display(res.Record.Values[fi]), Rule: schema.RuleUnique, Severity: Error, Col: -1,
			Message: fmt.Sprintf("%s, row %d: %s", p.where, res.Row.Num, detail), Detail: detail}
	}
	return p.cellIssue(&res.Row, col, f, schema.RuleUnique, detail)
}

// skipHidden warns that a hidden sheet named after a target is not read.
func (r *run) skipHidden(name string, t *schema.Target) {
	msg := fmt.Sprintf("Sheet %s is hidden in the workbook, so it was skipped: nothing on it is checked or sent (unhide it in Excel, or add --include-hidden to read it)", quoted(name))
	r.sum.IgnoredSheets = append(r.sum.IgnoredSheets, name+" (hidden)")
	r.keep(Issue{Target: t.ID, Sheet: name, Rule: RuleHiddenSheet, Severity: Warning, Col: -1, Message: msg, Detail: msg})
}

// hasError reports whether any issue is an error (warnings leave a row
// valid).
func hasError(issues []Issue) bool {
	for i := range issues {
		if issues[i].Severity == Error {
			return true
		}
	}
	return false
}

// keep adds an issue to the Summary, up to the bound; sheet-level issues
// (a few per sheet, and shown on no cell) are always kept. The value is
// copied so a kept issue does not hold on to its whole input line.
func (r *run) keep(is Issue) {
	list, omitted := &r.sum.Errors, &r.sum.ErrorsOmitted
	switch is.Severity {
	case Warning:
		list, omitted = &r.sum.Warnings, &r.sum.WarningsOmitted
	case Note:
		list, omitted = &r.sum.Notes, new(int)
	}
	if r.maxIssues > 0 && len(*list) >= r.maxIssues && !is.SheetLevel() {
		*omitted++
		return
	}
	is.Value = strings.Clone(is.Value)
	*list = append(*list, is)
}

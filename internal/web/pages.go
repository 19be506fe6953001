package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/onboard/onboard/internal/hires"
	"github.com/onboard/onboard/internal/outcome"
)

// funcs are the helpers page templates use.
var funcs = template.FuncMap{
	"when": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.Local().Format("2 Jan 2006 15:04")
	},
	"plural": outcome.Plural,
	"statusClass": func(st outcome.Status) string {
		switch {
		case st.AtVendor() || st == outcome.WouldCreate:
			return "good"
		case st.Problem():
			return "bad"
		}
		return "note"
	},
	"personClass": func(st outcome.PersonStatus) string {
		if st.Fine() {
			return "good"
		}
		return "bad"
	},
	"words": func(st outcome.Status) string { return st.Words() },
	"zone":  zoneName,
}

// zoneName names a schedule's time zone: its IANA name, or for one
// without time_zone (Go's "Local") the server's zone as its clock shows
// it now, e.g. "server time, UTC".
func zoneName(loc *time.Location) string {
	if loc == nil || loc == time.Local {
		zone, _ := time.Now().Zone()
		return "server time, " + zone
	}
	return loc.String()
}

// page is what every page template gets.
type page struct {
	Title   string
	Who     *Identity
	Flash   string
	Data    any
	Refresh int // seconds after which the page reloads itself; 0 = never
}

// refresher is page data that asks the page to reload itself.
type refresher interface{ RefreshSeconds() int }

// render writes a page with the given status code.
func (s *Server) render(w http.ResponseWriter, r *http.Request, code int, name, title string, data any) {
	t := s.pages[name]
	if t == nil {
		http.Error(w, "page missing", http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	p := page{Title: title, Who: who(r), Flash: flashes[r.URL.Query().Get("m")], Data: data}
	if rf, ok := data.(refresher); ok {
		p.Refresh = rf.RefreshSeconds()
	}
	if err := t.ExecuteTemplate(&buf, "layout.html", p); err != nil {
		s.log.Error("render a page", "page", name, "error", err)
		http.Error(w, "The page could not be shown; the server log says why.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_, _ = w.Write(buf.Bytes())
}

// fail shows an error page with a message a person can act on.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, code int, msg string) {
	if strings.Contains(r.Header.Get("Accept"), "text/event-stream") {
		http.Error(w, msg, code)
		return
	}
	s.render(w, r, code, "error.html", http.StatusText(code), msg)
}

// flashes are the short messages a redirect may ask the next page to
// show, by code: a link cannot make the page say anything else.
var flashes = map[string]string{
	"requested":        "IT has been asked to create the accounts.",
	"cancelled":        "Cancelled: requests in flight finish, nothing new is sent. Resume at any time.",
	"schedule-started": "The schedule runs now; this page shows how it ended.",
	"schedule-running": "This schedule is running already; this page shows how it ends.",
}

// flash adds a flash message's code to url.
func flash(url, code string) string { return url + "?m=" + code }

// homeData is the home page's.
type homeData struct {
	Batches []*Batch
	Max     string
	CanRun  bool
}

func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	list, err := s.visibleBatches(who(r))
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, "The batches could not be read; the server log says why.")
		return
	}
	if len(list) > 10 {
		list = list[:10]
	}
	s.render(w, r, http.StatusOK, "home.html", "Home", homeData{Batches: list, Max: sizeWords(s.opt.MaxUpload), CanRun: who(r).Role.CanRun()})
}

// visibleBatches lists the batches id may see: HR their own, IT all.
func (s *Server) visibleBatches(id *Identity) ([]*Batch, error) {
	all, err := s.store.batches()
	if err != nil || id.Role.CanSeeAll() {
		return all, err
	}
	var own []*Batch
	for _, b := range all {
		if b.Owner == id.User || b.RequestedBy == id.User {
			own = append(own, b)
		}
	}
	return own, nil
}

// loadBatch reads the batch of the URL, answering 404 when it does not
// exist or the person may not see it.
func (s *Server) loadBatch(w http.ResponseWriter, r *http.Request) *Batch {
	var b Batch
	found, err := s.store.get(bucketBatches, r.PathValue("id"), &b)
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, "The batch could not be read; the server log says why.")
		return nil
	}
	id := who(r)
	if !found || (!id.Role.CanSeeAll() && b.Owner != id.User) {
		s.fail(w, r, http.StatusNotFound, "There is no such batch, or it is not yours.")
		return nil
	}
	return &b
}

// personRow is one person in the batch table.
type personRow struct {
	Row      int
	Name     string
	Status   outcome.PersonStatus
	Problems []string
	Cells    []string
	Fine     bool
}

// checkView is what the batch page shows of a version's check, kept next
// to the upload so the page never validates again.
type checkView struct {
	Unusable string      `json:"unusable,omitempty"`
	Sheet    []string    `json:"sheet,omitempty"`
	People   []personRow `json:"people,omitempty"`
	Warnings []string    `json:"warnings,omitempty"`
	Ready    bool        `json:"ready,omitempty"`
}

// batchData is the batch page's.
type batchData struct {
	B *Batch
	V Version
	checkView
	CanRun    bool
	Live      Live
	Max       string
	HasResult bool
}

func (s *Server) batchPage(w http.ResponseWriter, r *http.Request) {
	b := s.loadBatch(w, r)
	if b == nil {
		return
	}
	v := b.Latest()
	d := batchData{B: b, V: v, CanRun: who(r).Role.CanRun(), Max: sizeWords(s.opt.MaxUpload)}
	d.Live, _, _ = s.runs.status(b.ID)
	d.HasResult = b.Run != nil && s.loadResult(b.ID) != nil
	view, err := s.loadView(b, v)
	if err != nil {
		s.log.Error("read a check", "batch", b.ID, "error", err)
		s.fail(w, r, http.StatusInternalServerError, "The check of this sheet could not be read; the server log says why.")
		return
	}
	d.checkView = *view
	s.render(w, r, http.StatusOK, "batch.html", b.Name(), d)
}

// viewPath is where a version's checkView is kept.
func (s *Server) viewPath(b *Batch, v Version) string {
	return filepath.Join(s.batchDir(b.ID), fmt.Sprintf("v%d", v.N), "check.json")
}

// loadView reads a version's checkView, making it when missing.
func (s *Server) loadView(b *Batch, v Version) (*checkView, error) {
	data, err := os.ReadFile(s.viewPath(b, v))
	if err == nil {
		var view checkView
		if err := json.Unmarshal(data, &view); err == nil {
			return &view, nil
		}
	}
	view := viewOf(s.check(b, v))
	return view, s.saveView(b, v, view)
}

// saveView keeps a version's checkView (0600).
func (s *Server) saveView(b *Batch, v Version, view *checkView) error {
	data, err := json.Marshal(view)
	if err != nil {
		return err
	}
	return os.WriteFile(s.viewPath(b, v), data, 0o600)
}

// viewOf turns a check into what the page shows: people needing fixes
// first, with their cells and the CLI's messages.
func viewOf(c *checked) *checkView {
	if c.Result == nil {
		return &checkView{Unusable: c.Unusable}
	}
	res := c.Result
	d := &checkView{Sheet: res.SheetProblems, Ready: len(res.People) > 0 && res.OK()}
	cells := cellsByRow(c)
	for _, p := range res.People {
		d.People = append(d.People, personRow{Row: p.Row, Name: p.Name, Status: p.Status, Problems: p.Problems,
			Cells: cells[p.Row], Fine: p.Status.Fine()})
	}
	sort.SliceStable(d.People, func(i, j int) bool { return !d.People[i].Fine && d.People[j].Fine })
	for _, rec := range res.Records {
		if rec.Shared && rec.Status.Problem() {
			d.Sheet = append(d.Sheet, fmt.Sprintf("Row %d, %s for the office: %s", rec.Row, rec.System, rec.Message))
		}
	}
	for _, pr := range c.Batch.Problems {
		if pr.Severity == hires.SeverityWarning && pr.Rule != hires.RuleDefault && pr.Rule != hires.RulePending {
			msg := pr.Message
			if pr.Row > 0 {
				msg = fmt.Sprintf("Row %d: %s", pr.Row, msg)
			}
			d.Warnings = append(d.Warnings, msg)
		}
	}
	return d
}

// cellsByRow lists the offending cells of each row.
func cellsByRow(c *checked) map[int][]string {
	out := map[int][]string{}
	for _, pr := range c.Batch.Problems {
		if pr.Row == 0 || pr.Severity != hires.SeverityError {
			continue
		}
		cells := pr.Cells
		if len(cells) == 0 && pr.Cell != "" {
			cells = []string{pr.Cell}
		}
		for _, cell := range cells {
			if !contains(out[pr.Row], cell) {
				out[pr.Row] = append(out[pr.Row], cell)
			}
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// sizeWords says a byte count for people: "25 MB".
func sizeWords(n int64) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%d MB", n>>20)
	}
	return fmt.Sprintf("%d KB", n>>10)
}

package web

import (
	"errors"
	"fmt"
	"math"
	"mime"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/onboard/onboard/internal/hires"
	"github.com/onboard/onboard/internal/outcome"
	"github.com/onboard/onboard/internal/web/auth"
)

// signinData is the sign-in page's.
type signinData struct {
	User  string
	Error string
}

func (s *Server) signinPage(w http.ResponseWriter, r *http.Request) {
	if s.identify(r) != nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	s.render(w, r, http.StatusOK, "signin.html", "Sign in", signinData{})
}

// signin checks a user name and password, rate-limited per user and per
// address; a good one starts a new session.
func (s *Server) signin(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	user := strings.ToLower(strings.TrimSpace(r.PostFormValue("user")))
	password := r.PostFormValue("password")
	addr := s.clientAddr(r)
	s.mu.Lock()
	u, known := s.users[user]
	s.mu.Unlock()
	logged := user // a name that is no user may be a password typed in the wrong box
	if !known {
		logged = "(unknown user)"
	}
	okUser, waitUser := s.userLimiter.Allowed(user)
	okAddr, waitAddr := s.addrLimiter.Allowed(addr)
	if !okUser || !okAddr {
		s.metrics.signins.WithLabelValues("limited").Inc()
		s.log.Warn("sign-in refused: too many attempts", "user", logged, "addr", addr)
		wait := max(waitUser, waitAddr)
		mins := int(math.Ceil(wait.Minutes()))
		w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
		s.render(w, r, http.StatusTooManyRequests, "signin.html", "Sign in",
			signinData{User: user, Error: fmt.Sprintf("Too many failed attempts. Wait %s and try again, or ask IT to check your account.", outcome.Plural(mins, "minute", "minutes"))})
		return
	}
	hash := u.hash
	if !known {
		hash = dummyHash() // spend the same time, so the answer does not tell who exists
	}
	if err := auth.Verify(hash, password); err != nil || !known {
		s.userLimiter.Fail(user)
		s.addrLimiter.Fail(addr)
		s.metrics.signins.WithLabelValues("failed").Inc()
		s.log.Warn("sign-in failed", "user", logged, "addr", addr)
		_ = s.store.audit(AuditEntry{Time: s.now(), User: logged, Action: "sign-in failed", Addr: addr})
		s.render(w, r, http.StatusUnauthorized, "signin.html", "Sign in", signinData{User: user, Error: "That user name and password do not match. Check them and try again."})
		return
	}
	s.userLimiter.Reset(user)
	if err := s.startSession(w, r, user, u.role); err != nil {
		s.log.Error("start a session", "user", user, "error", err)
		s.fail(w, r, http.StatusInternalServerError, "You could not be signed in; the server log says why.")
		return
	}
	s.metrics.signins.WithLabelValues("ok").Inc()
	s.log.Info("signed in", "user", user, "role", string(u.role), "addr", addr)
	_ = s.store.audit(AuditEntry{Time: s.now(), User: user, Role: string(u.role), Action: "signed in", Addr: addr})
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// dummyHash is checked for unknown users (its password is random); made
// at the first sign-in, not at start-up.
var dummyHash = sync.OnceValue(func() string {
	h, _ := auth.HashPassword(auth.RandomPassword(24))
	return h
})

func (s *Server) signout(w http.ResponseWriter, r *http.Request) {
	id := s.identify(r)
	if id != nil {
		_ = s.store.audit(AuditEntry{Time: s.now(), User: id.User, Role: string(id.Role), Action: "signed out", Addr: s.clientAddr(r)})
	}
	s.endSession(w, id)
	http.Redirect(w, r, "/signin", http.StatusSeeOther)
}

// template downloads the new-hire template of the plan.
func (s *Server) template(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", `attachment; filename="new-hires-template.xlsx"`)
	if err := hires.WriteTemplate(w, s.opt.Plan); err != nil {
		s.log.Error("write the template", "error", err)
	}
}

// receive reads the uploaded file of a form into path, answering with a
// clear message when there is none or it is too big.
func (s *Server) receive(w http.ResponseWriter, r *http.Request, dir string) (Version, bool) {
	r.Body = http.MaxBytesReader(w, r.Body, s.opt.MaxUpload+64<<10)
	tooBig := "The file is bigger than " + sizeWords(s.opt.MaxUpload) + ". Split the sheet into smaller ones, or remove pictures and other sheets."
	part, err := sheetPart(r)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			s.fail(w, r, http.StatusRequestEntityTooLarge, tooBig)
		} else {
			s.fail(w, r, http.StatusBadRequest, "Choose a spreadsheet (.xlsx or .csv) to upload.")
		}
		return Version{}, false
	}
	v := Version{Name: cleanName(part.FileName()), Uploaded: s.now(), By: who(r).User}
	// Streamed straight to its place: nothing is held in memory or in a
	// temporary file elsewhere.
	if err := saveUpload(filepath.Join(dir, v.Name), part, s.opt.MaxUpload); err != nil {
		var mbe *http.MaxBytesError
		switch {
		case errors.Is(err, errTooBig), errors.As(err, &mbe):
			s.fail(w, r, http.StatusRequestEntityTooLarge, tooBig)
		default:
			s.log.Error("keep an upload", "error", err)
			s.fail(w, r, http.StatusInternalServerError, "The file could not be kept; the server log says why.")
		}
		return Version{}, false
	}
	s.metrics.uploads.Inc()
	return v, true
}

// sheetPart finds the "sheet" file of a multipart form, reading the body
// as a stream.
func sheetPart(r *http.Request) (*multipart.Part, error) {
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, err
	}
	for {
		part, err := mr.NextPart()
		if err != nil {
			return nil, err
		}
		if part.FormName() == "sheet" && part.FileName() != "" {
			return part, nil
		}
		part.Close()
	}
}

// summarize checks a version once, keeps what its page shows, and fills
// its counts. At most one check per CPU runs at a time, so many uploads
// at once queue instead of growing the memory.
func (s *Server) summarize(b *Batch, v *Version) {
	s.checking <- struct{}{}
	c := s.checkFile(s.inputPath(b, *v), v.Name)
	<-s.checking
	view := viewOf(c)
	if err := s.saveView(b, *v, view); err != nil {
		s.log.Error("keep a check", "batch", b.ID, "error", err)
	}
	if c.Result == nil {
		v.Unusable = c.Unusable
		return
	}
	v.People = len(c.Result.People)
	for _, p := range c.Result.People {
		if p.Status.Fine() {
			v.Ready++
		} else {
			v.Fix++
		}
	}
	if v.People == 0 || len(c.Result.SheetProblems) > 0 {
		v.Fix = max(v.Fix, 1)
	}
}

// upload starts a batch from an uploaded sheet and shows its check.
func (s *Server) upload(w http.ResponseWriter, r *http.Request) {
	b := &Batch{ID: newID(8), Created: s.now(), Owner: who(r).User}
	v, ok := s.receive(w, r, filepath.Join(s.batchDir(b.ID), "v1"))
	if !ok {
		os.RemoveAll(s.batchDir(b.ID))
		return
	}
	v.N = 1
	b.Versions = []Version{v}
	s.summarize(b, &b.Versions[0])
	if err := s.store.put(bucketBatches, b.ID, b); err != nil {
		s.log.Error("record a batch", "error", err)
		s.fail(w, r, http.StatusInternalServerError, "The batch could not be recorded; the server log says why.")
		return
	}
	s.auditAction(r, "uploaded", b.ID, v.Name)
	http.Redirect(w, r, "/batches/"+b.ID, http.StatusSeeOther)
}

// uploadVersion adds a corrected sheet to a batch.
func (s *Server) uploadVersion(w http.ResponseWriter, r *http.Request) {
	b := s.loadBatch(w, r)
	if b == nil {
		return
	}
	unlock := s.lockBatch(b.ID) // one correction at a time per batch
	defer unlock()
	if b = s.loadBatch(w, r); b == nil {
		return
	}
	if b.Active() {
		s.fail(w, r, http.StatusConflict, "Accounts are being created from this batch; wait for the run to end (or cancel it) before uploading a correction.")
		return
	}
	n := len(b.Versions) + 1
	v, ok := s.receive(w, r, filepath.Join(s.batchDir(b.ID), fmt.Sprintf("v%d", n)))
	if !ok {
		return
	}
	v.N = n
	s.summarize(b, &v)
	if _, err := s.store.updateBatch(b.ID, func(b *Batch) error {
		b.Versions = append(b.Versions, v)
		b.RequestedBy, b.RequestedAt = "", time.Time{} // a new sheet needs a new request
		return nil
	}); err != nil {
		s.fail(w, r, http.StatusInternalServerError, "The correction could not be recorded; the server log says why.")
		return
	}
	s.auditAction(r, "uploaded a correction", b.ID, fmt.Sprintf("version %d: %s", n, v.Name))
	http.Redirect(w, r, "/batches/"+b.ID, http.StatusSeeOther)
}

// validationReport downloads the validation workbook of the newest version.
func (s *Server) validationReport(w http.ResponseWriter, r *http.Request) {
	b := s.loadBatch(w, r)
	if b == nil {
		return
	}
	tmp, err := os.MkdirTemp(s.batchDir(b.ID), ".report-*")
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, "The report could not be written; the server log says why.")
		return
	}
	defer os.RemoveAll(tmp)
	path := filepath.Join(tmp, "validation.xlsx")
	if err := s.writeValidationReport(b, b.Latest(), path); err != nil {
		s.log.Error("write a validation report", "batch", b.ID, "error", err)
		s.fail(w, r, http.StatusUnprocessableEntity, "This sheet could not be read, so it has no report. Upload a corrected file.")
		return
	}
	base := strings.TrimSuffix(b.Latest().Name, filepath.Ext(b.Latest().Name))
	s.sendFile(w, r, path, base+"-validation.xlsx")
}

// requestCreation records that HR asks IT to create the accounts.
func (s *Server) requestCreation(w http.ResponseWriter, r *http.Request) {
	b := s.loadBatch(w, r)
	if b == nil {
		return
	}
	if b.Latest().Unusable != "" || b.Latest().People == 0 {
		s.fail(w, r, http.StatusConflict, "This sheet has no one to create yet: upload a corrected file first.")
		return
	}
	if _, err := s.store.updateBatch(b.ID, func(b *Batch) error {
		b.RequestedBy, b.RequestedAt = who(r).User, s.now()
		return nil
	}); err != nil {
		s.fail(w, r, http.StatusInternalServerError, "The request could not be recorded; the server log says why.")
		return
	}
	s.auditAction(r, "requested creation", b.ID, "")
	http.Redirect(w, r, flash("/batches/"+b.ID, "requested"), http.StatusSeeOther)
}

// previewData is the preview page's.
type previewData struct {
	B       *Batch
	Systems []systemCount
	People  string
	Total   int
	Notices []string
}

type systemCount struct {
	System          string
	Create, Earlier int
	Problems        int
}

// previewPage shows what a run would create per system (a dry run).
func (s *Server) previewPage(w http.ResponseWriter, r *http.Request) {
	b := s.loadBatch(w, r)
	if b == nil {
		return
	}
	if b.Active() {
		http.Redirect(w, r, "/batches/"+b.ID, http.StatusSeeOther)
		return
	}
	res, err := s.preview(r.Context(), b)
	if err != nil {
		s.fail(w, r, http.StatusUnprocessableEntity, "The preview could not be made: "+s.publicError(err))
		return
	}
	d := previewData{B: b, People: res.PeopleHeadline(), Notices: res.Notices}
	by := map[string]*systemCount{}
	var order []string
	for _, rec := range res.Records {
		c := by[rec.System]
		if c == nil {
			c = &systemCount{System: rec.System}
			by[rec.System] = c
			order = append(order, rec.System)
		}
		switch {
		case rec.Status == outcome.WouldCreate:
			c.Create++
			d.Total++
		case rec.Status.AtVendor():
			c.Earlier++
		case rec.Status.Problem():
			c.Problems++
		}
	}
	for _, sys := range order {
		d.Systems = append(d.Systems, *by[sys])
	}
	s.render(w, r, http.StatusOK, "preview.html", "Create accounts: "+b.Name(), d)
}

// startRun queues a real run (or a resume) of the batch.
func (s *Server) startRun(w http.ResponseWriter, r *http.Request) {
	b := s.loadBatch(w, r)
	if b == nil {
		return
	}
	if s.opt.Config == nil {
		s.fail(w, r, http.StatusConflict, "This server has no vendor configuration, so it cannot create accounts. Start it with --config or --sandbox.")
		return
	}
	if r.PostFormValue("confirm") != "yes" {
		s.fail(w, r, http.StatusBadRequest, "Confirm on the preview page to create the accounts.")
		return
	}
	resume := b.Run != nil
	_, err := s.store.updateBatch(b.ID, func(b *Batch) error {
		if b.Active() {
			return errBusy
		}
		b.Run = &RunInfo{State: RunQueued, Version: b.Latest().N, By: who(r).User, Queued: s.now()}
		return nil
	})
	if errors.Is(err, errBusy) {
		http.Redirect(w, r, "/batches/"+b.ID, http.StatusSeeOther)
		return
	}
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, "The run could not be queued; the server log says why.")
		return
	}
	pos := s.runs.enqueue(b.ID)
	action := "started a run"
	if resume {
		action = "resumed a run"
	}
	s.auditAction(r, action, b.ID, fmt.Sprintf("version %d, queue position %d", b.Latest().N, pos))
	http.Redirect(w, r, "/batches/"+b.ID, http.StatusSeeOther)
}

var errBusy = errors.New("busy")

// cancelRun stops the batch's run like Ctrl-C.
func (s *Server) cancelRun(w http.ResponseWriter, r *http.Request) {
	b := s.loadBatch(w, r)
	if b == nil {
		return
	}
	if !s.runs.cancelRun(b.ID) {
		http.Redirect(w, r, "/batches/"+b.ID, http.StatusSeeOther)
		return
	}
	// A queued run never started: mark it at once (a running one is
	// marked by its own end).
	_, _ = s.store.updateBatch(b.ID, func(b *Batch) error {
		if b.Run != nil && b.Run.State == RunQueued {
			b.Run.State, b.Run.Message, b.Run.Ended = RunInterrupted, "cancelled before it started", s.now()
		}
		return nil
	})
	s.auditAction(r, "cancelled a run", b.ID, "")
	http.Redirect(w, r, flash("/batches/"+b.ID, "cancelled"), http.StatusSeeOther)
}

// events streams the run's progress as server-sent events, at least once
// a second, until the run ends.
func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	b := s.loadBatch(w, r)
	if b == nil {
		return
	}
	flusher, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		live, active, changed := s.runs.status(b.ID)
		if !active {
			fmt.Fprint(w, "event: done\ndata: {}\n\n")
			flusher.Flush()
			return
		}
		data, _ := jsonString(live)
		fmt.Fprintf(w, "event: progress\ndata: %s\n\n", data)
		flusher.Flush()
		select {
		case <-r.Context().Done():
			return
		case <-s.stopping:
			return
		case <-changed:
			select { // at most about ten updates a second
			case <-r.Context().Done():
				return
			case <-time.After(100 * time.Millisecond):
			}
		case <-tick.C:
		}
	}
}

// resultsData is the results page's.
type resultsData struct {
	B        *Batch
	R        *outcome.Result
	Targets  []string
	Names    []string
	Rows     []resultRow
	CanCreds bool
	Creds    bool
}

// resultRow is one person on the results page: one cell per system, nil
// where the person has no account there.
type resultRow struct {
	P       outcome.Person
	Systems []*outcome.System
}

func (s *Server) resultsPage(w http.ResponseWriter, r *http.Request) {
	b := s.loadBatch(w, r)
	if b == nil {
		return
	}
	res := s.loadResult(b.ID)
	if res == nil {
		s.fail(w, r, http.StatusNotFound, "This batch has no results yet: create its accounts first.")
		return
	}
	d := resultsData{B: b, R: res, Targets: outcome.Targets(res.People, nil), CanCreds: who(r).Role.CanSeeCredentials()}
	names := map[string]string{}
	for _, p := range res.People {
		row := resultRow{P: p}
		for _, t := range d.Targets {
			if sys, ok := p.Systems[t]; ok {
				row.Systems = append(row.Systems, &sys)
				names[t] = sys.Name
			} else {
				row.Systems = append(row.Systems, nil)
			}
		}
		d.Rows = append(d.Rows, row)
	}
	for _, t := range d.Targets {
		d.Names = append(d.Names, names[t])
	}
	if _, err := os.Stat(s.credentialsPath(b)); err == nil {
		d.Creds = true
	}
	s.render(w, r, http.StatusOK, "results.html", "Results: "+b.Name(), d)
}

func (s *Server) resultWorkbook(w http.ResponseWriter, r *http.Request) {
	s.download(w, r, resultXLSX, "-result.xlsx")
}

func (s *Server) resultsCSV(w http.ResponseWriter, r *http.Request) {
	s.download(w, r, resultCSV, "-results.csv")
}

// download sends one of the batch's result files.
func (s *Server) download(w http.ResponseWriter, r *http.Request, file, suffix string) {
	b := s.loadBatch(w, r)
	if b == nil {
		return
	}
	path := filepath.Join(s.reportsDir(b.ID), file)
	if _, err := os.Stat(path); err != nil {
		s.fail(w, r, http.StatusNotFound, "This batch has no results yet: create its accounts first.")
		return
	}
	base := strings.TrimSuffix(b.Name(), filepath.Ext(b.Name()))
	s.sendFile(w, r, path, base+suffix)
}

// credentials downloads the generated passwords (IT only), audited.
func (s *Server) credentials(w http.ResponseWriter, r *http.Request) {
	b := s.loadBatch(w, r)
	if b == nil {
		return
	}
	path := s.credentialsPath(b)
	if _, err := os.Stat(path); err != nil {
		s.fail(w, r, http.StatusNotFound, "There are no generated passwords for this batch (none were made, or they were deleted after the retention period).")
		return
	}
	s.auditAction(r, "downloaded credentials", b.ID, "")
	s.log.Info("credentials downloaded", "batch", b.ID, "user", who(r).User)
	base := strings.TrimSuffix(b.Name(), filepath.Ext(b.Name()))
	s.sendFile(w, r, path, base+"-CREDENTIALS.csv")
}

// sendFile sends a file as an attachment named name.
func (s *Server) sendFile(w http.ResponseWriter, r *http.Request, path, name string) {
	f, err := os.Open(path)
	if err != nil {
		s.fail(w, r, http.StatusNotFound, "The file is not there any more.")
		return
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, "The file could not be read.")
		return
	}
	ctype := mime.TypeByExtension(filepath.Ext(name))
	if strings.HasSuffix(name, ".xlsx") {
		ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	if strings.HasSuffix(name, ".csv") {
		ctype = "text/csv; charset=utf-8"
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	http.ServeContent(w, r, "", fi.ModTime(), f)
}

func (s *Server) auditPage(w http.ResponseWriter, r *http.Request) {
	var entries []AuditEntry
	err := s.store.auditLog(200, func(e AuditEntry) error {
		entries = append(entries, e)
		return nil
	})
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, "The audit log could not be read; the server log says why.")
		return
	}
	for i, j := 0, len(entries)-1; i < j; i, j = i+1, j-1 {
		entries[i], entries[j] = entries[j], entries[i]
	}
	s.render(w, r, http.StatusOK, "audit.html", "Audit log", entries)
}

// auditExport downloads the whole audit log as JSON lines.
func (s *Server) auditExport(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/jsonl; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="onboard-audit.jsonl"`)
	s.auditAction(r, "exported the audit log", "", "")
	_ = s.store.auditLog(0, func(e AuditEntry) error {
		line, err := jsonString(e)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintln(w, line)
		return err
	})
}

// auditAction records what the signed-in person did.
func (s *Server) auditAction(r *http.Request, action, batchID, detail string) {
	id := who(r)
	if err := s.store.audit(AuditEntry{Time: s.now(), User: id.User, Role: string(id.Role), Action: action, Batch: batchID,
		Detail: detail, Addr: s.clientAddr(r)}); err != nil {
		s.log.Error("write the audit log", "error", err)
	}
	s.log.Info(action, "user", id.User, "batch", batchID)
}

// usersData is the users page's: who may sign in, never their hashes.
type usersData struct {
	Local []userRow
	SSO   []userRow
	Proxy bool
	Other string // the role of people the proxy lets in who are not listed
}

type userRow struct {
	Name string
	Role auth.Role
}

// usersPage lists the users and the single sign-on role mapping (admin).
func (s *Server) usersPage(w http.ResponseWriter, r *http.Request) {
	d := usersData{Proxy: len(s.opt.TrustedProxies) > 0, Other: s.opt.SSO.DefaultRole}
	s.mu.Lock()
	for name, u := range s.users {
		d.Local = append(d.Local, userRow{Name: name, Role: u.role})
	}
	s.mu.Unlock()
	for who, role := range s.opt.SSO.Roles {
		d.SSO = append(d.SSO, userRow{Name: who, Role: auth.Role(role)})
	}
	byName := func(rows []userRow) {
		sort.Slice(rows, func(i, j int) bool { return rows[i].Name < rows[j].Name })
	}
	byName(d.Local)
	byName(d.SSO)
	s.render(w, r, http.StatusOK, "users.html", "Users", d)
}

// lockBatch serializes the uploads of corrections to one batch.
func (s *Server) lockBatch(id string) func() {
	m, _ := s.batchLocks.LoadOrStore(id, &sync.Mutex{})
	mu := m.(*sync.Mutex)
	mu.Lock()
	return mu.Unlock
}

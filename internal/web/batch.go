package web

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/onboard/onboard/internal/batch"
	"github.com/onboard/onboard/internal/hires"
	"github.com/onboard/onboard/internal/intake"
	"github.com/onboard/onboard/internal/outcome"
	"github.com/onboard/onboard/internal/report"
)

// Batch is one uploaded sheet and its corrected versions, and its run.
type Batch struct {
	ID      string    `json:"id"`
	Created time.Time `json:"created"`
	Owner   string    `json:"owner"` // who uploaded the first version
	// Versions are the uploads, the newest last; runs use the newest.
	Versions    []Version `json:"versions"`
	RequestedBy string    `json:"requested_by,omitempty"`
	RequestedAt time.Time `json:"requested_at,omitzero"`
	Run         *RunInfo  `json:"run,omitempty"`
}

// Version is one upload of a batch's sheet.
type Version struct {
	N        int       `json:"n"`
	Name     string    `json:"name"` // the file name as uploaded, cleaned
	Uploaded time.Time `json:"uploaded"`
	By       string    `json:"by"`
	People   int       `json:"people"`
	Ready    int       `json:"ready"`
	Fix      int       `json:"fix"`
	Unusable string    `json:"unusable,omitempty"` // why the file could not be read at all
}

// Run states.
const (
	RunQueued      = "queued"
	RunRunning     = "running"
	RunDone        = "done"
	RunInterrupted = "interrupted" // cancelled, or the server stopped: resumable
	RunFailed      = "failed"      // could not run (a message says why)
)

// RunInfo is a batch's latest run.
type RunInfo struct {
	State     string    `json:"state"`
	Version   int       `json:"version"`
	By        string    `json:"by"`
	Queued    time.Time `json:"queued"`
	Started   time.Time `json:"started,omitzero"`
	Ended     time.Time `json:"ended,omitzero"`
	RunID     string    `json:"run_id,omitempty"`
	Message   string    `json:"message,omitempty"`
	Headline  string    `json:"headline,omitempty"`
	Records   int       `json:"records,omitempty"`
	Created   int       `json:"created,omitempty"`
	Failed    int       `json:"failed,omitempty"`
	Passwords int       `json:"passwords,omitempty"`
	// CredentialsGone is set once the credentials file was deleted.
	CredentialsGone bool `json:"credentials_gone,omitempty"`
}

// Latest is the newest version.
func (b *Batch) Latest() Version { return b.Versions[len(b.Versions)-1] }

// Name is what the batch is called on pages: its first file's name.
func (b *Batch) Name() string { return b.Versions[0].Name }

// Status says where the batch is, in words.
func (b *Batch) Status() string {
	if b.Run != nil {
		switch b.Run.State {
		case RunQueued:
			return "queued"
		case RunRunning:
			return "creating accounts"
		case RunDone:
			return "done"
		case RunInterrupted:
			return "interrupted — resume"
		case RunFailed:
			return "run failed"
		}
	}
	v := b.Latest()
	switch {
	case v.Unusable != "":
		return "cannot be read"
	case b.RequestedBy != "":
		return "creation requested"
	case v.Fix > 0:
		return "needs fixing"
	}
	return "ready"
}

// Active reports whether the batch's run is queued or running.
func (b *Batch) Active() bool {
	return b.Run != nil && (b.Run.State == RunQueued || b.Run.State == RunRunning)
}

func (s *Server) batchDir(id string) string   { return filepath.Join(s.opt.DataDir, "batches", id) }
func (s *Server) stateDir(id string) string   { return filepath.Join(s.batchDir(id), "state") }
func (s *Server) reportsDir(id string) string { return filepath.Join(s.batchDir(id), "reports") }

// inputPath is where a version's file is kept.
func (s *Server) inputPath(b *Batch, v Version) string {
	return filepath.Join(s.batchDir(b.ID), fmt.Sprintf("v%d", v.N), v.Name)
}

// runInput is the path every run of the batch reads: the newest version
// copied under one name, so the state and credentials file (named after
// the input) carry over from version to version.
func (s *Server) runInput(b *Batch) string {
	return filepath.Join(s.batchDir(b.ID), "input", "new-hires"+filepath.Ext(b.Latest().Name))
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._ -]+`)

// cleanName makes an uploaded file name safe to keep and show: no
// directories, no odd characters, a known extension.
func cleanName(name string) string {
	name = filepath.Base(strings.ReplaceAll(name, `\`, "/"))
	ext := strings.ToLower(filepath.Ext(name))
	base := strings.TrimSpace(unsafeName.ReplaceAllString(strings.TrimSuffix(name, filepath.Ext(name)), "_"))
	base = strings.Trim(base, ". ")
	if base == "" {
		base = "upload"
	}
	if len(base) > 80 {
		base = base[:80]
	}
	if ext != ".xlsx" && ext != ".csv" && ext != ".xlsm" {
		ext = ".xlsx" // intake reads by content; an odd name still gets its clear message
	}
	return base + ext
}

// errTooBig is an upload over the cap.
var errTooBig = errors.New("too big")

// saveUpload writes an upload to path (0600), at most limit bytes.
func saveUpload(path string, r io.Reader, limit int64) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	n, err := io.Copy(f, io.LimitReader(r, limit+1))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && n > limit {
		err = errTooBig
	}
	if err != nil {
		os.Remove(path)
	}
	return err
}

// checked is a version read through the plan, as `onboard validate
// --plan` reads it.
type checked struct {
	Result   *outcome.Result
	Batch    *hires.Batch
	Unusable string // the file could not be read: why, in words
}

// check reads a version through the plan, from the cache when it can.
func (s *Server) check(b *Batch, v Version) *checked {
	key := b.ID + "/" + fmt.Sprint(v.N)
	if c := s.checks.get(key); c != nil {
		return c
	}
	c := s.checkFile(s.inputPath(b, v), v.Name)
	s.checks.put(key, c)
	return c
}

// checkFile validates one sheet; every message names the file by its
// display name, never by its path on the server.
func (s *Server) checkFile(path, display string) *checked {
	in, err := intake.Open(path, intake.Options{})
	if err != nil {
		return &checked{Unusable: hidePath(err.Error(), path, display)}
	}
	defer in.Close()
	var defaults map[string]map[string]string
	if s.opt.Config != nil {
		defaults = s.opt.Config.Defaults()
	}
	hb, err := s.opt.Plan.Process(in, hires.Options{Defaults: defaults})
	if err != nil {
		return &checked{Unusable: hidePath(err.Error(), path, display)}
	}
	res := batch.CheckHires(display, hb)
	return &checked{Result: res, Batch: hb}
}

// hidePath replaces the server's path of a file by its display name.
func hidePath(msg, path, display string) string {
	msg = strings.ReplaceAll(msg, path, display)
	msg = strings.ReplaceAll(msg, filepath.Dir(path)+string(filepath.Separator), "")
	return msg
}

// writeValidationReport writes the validation report workbook of a
// version to path.
func (s *Server) writeValidationReport(b *Batch, v Version, path string) error {
	c := s.check(b, v)
	if c.Batch == nil {
		return errors.New(c.Unusable)
	}
	in, err := intake.Open(s.inputPath(b, v), intake.Options{})
	if err != nil {
		return err
	}
	defer in.Close()
	return report.WriteHiresValidation(path, in, c.Batch)
}

// checkCache keeps the last few checked versions.
type checkCache struct {
	mu    sync.Mutex
	max   int
	order []string
	items map[string]*checked
}

func newCheckCache(n int) *checkCache { return &checkCache{max: n, items: map[string]*checked{}} }

func (c *checkCache) get(k string) *checked {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.items[k]
}

func (c *checkCache) put(k string, v *checked) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.items[k]; !ok {
		c.order = append(c.order, k)
	}
	c.items[k] = v
	for len(c.order) > c.max {
		delete(c.items, c.order[0])
		c.order = c.order[1:]
	}
}

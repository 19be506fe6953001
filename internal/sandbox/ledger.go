package sandbox

import (
	"net/http"
	"sync"
)

// Target IDs of the ledger's sections, as in the field descriptions.
const (
	targetNSSite  = "netsapiens.site"
	targetNSUser  = "netsapiens.user"
	targetAcefone = "acefone.user"
	targetFD      = "fonedynamics.login"
	targetCove    = "cove.user"
)

var ledgerTargets = []string{targetNSSite, targetNSUser, targetAcefone, targetFD, targetCove}

// Ledger is everything the sandbox stored and how each vendor answered.
type Ledger struct {
	// Created lists, per target ID, the records in the order they were
	// stored.
	Created map[string][]LedgerEntry `json:"created"`
	// Stats counts calls per vendor.
	Stats map[string]Stats `json:"stats"`
}

// LedgerEntry is one stored record.
type LedgerEntry struct {
	// Key is the record's natural key, formatted like schema.Record.Key:
	// the target's Key values joined by "/" (NetSapiens "~" resolved to
	// the token's domain).
	Key string `json:"key"`
	// ID is the vendor's ID for the record.
	ID string `json:"id"`
	// Creates counts the create calls accepted for this key: 1, or 0 for
	// a record made as a side effect (a NetSapiens site named by a user).
	Creates int `json:"creates"`
	// Duplicates counts later create calls refused because they clashed
	// with this record (same key, or the same system-wide unique name):
	// a client that re-sends what already succeeded shows up here.
	Duplicates int `json:"duplicates"`
	// Implicit marks a record the vendor made as a side effect.
	Implicit bool `json:"implicit,omitempty"`
	// Body is what was stored: the fields received, normalized, with
	// secrets replaced by "********".
	Body map[string]any `json:"body"`
}

// record is one stored record; vendor handlers keep their answer shapes
// in extra.
type record struct {
	target     string
	key        string
	id         string
	creates    int
	duplicates int
	implicit   bool
	body       map[string]any
	extra      any
}

// store keeps every vendor's records. Handlers hold mu across their
// check-then-insert so two concurrent creates of one key cannot both win.
type store struct {
	mu       sync.Mutex
	max      int
	count    int
	byTarget map[string][]*record
	// index maps a namespaced unique name ("ns.login\x00jane@x") to the
	// record that holds it.
	index map[string]*record
}

func newStore(max int) *store {
	st := &store{max: max}
	st.clear()
	return st
}

func (st *store) clear() {
	st.count = 0
	st.byTarget = make(map[string][]*record)
	st.index = make(map[string]*record)
}

// full reports whether another record would pass the bound (mu held).
func (st *store) full() bool { return st.count >= st.max }

// get returns the record holding a unique name (mu held).
func (st *store) get(namespace, name string) *record {
	return st.index[namespace+"\x00"+name]
}

// add stores rec under the unique names given as namespace, name pairs
// (mu held).
func (st *store) add(rec *record, names ...string) {
	st.count++
	st.byTarget[rec.target] = append(st.byTarget[rec.target], rec)
	for i := 0; i+1 < len(names); i += 2 {
		st.index[names[i]+"\x00"+names[i+1]] = rec
	}
}

// Ledger returns a snapshot of what was stored and the call counts. The
// bodies are shared with the sandbox: read them, do not modify them.
func (s *Server) Ledger() Ledger {
	l := Ledger{Created: make(map[string][]LedgerEntry), Stats: make(map[string]Stats)}
	s.store.mu.Lock()
	for _, t := range ledgerTargets {
		recs := s.store.byTarget[t]
		entries := make([]LedgerEntry, 0, len(recs))
		for _, r := range recs {
			entries = append(entries, LedgerEntry{Key: r.key, ID: r.id, Creates: r.creates,
				Duplicates: r.duplicates, Implicit: r.implicit, Body: r.body})
		}
		l.Created[t] = entries
	}
	s.store.mu.Unlock()
	for _, name := range Vendors {
		v := s.vendors[name]
		v.mu.Lock()
		l.Stats[name] = v.stats
		v.mu.Unlock()
	}
	return l
}

// Reset forgets every stored record and zeroes the call counts. Sessions
// (Acefone tokens, Cove visa chains) stay valid and IDs keep counting up.
func (s *Server) Reset() {
	s.store.mu.Lock()
	s.store.clear()
	s.store.mu.Unlock()
	for _, v := range s.vendors {
		v.mu.Lock()
		v.stats = Stats{}
		v.mu.Unlock()
	}
}

func (s *Server) serveLedger(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.Ledger())
}

func (s *Server) serveReset(w http.ResponseWriter, r *http.Request) {
	s.Reset()
	writeJSON(w, http.StatusOK, map[string]any{"reset": true})
}

package sandbox

import (
	"net/http"
)

// Target IDs of the ledger's sections, as in the field descriptions.
const (
	targetNSSite  = "netsapiens.site"
	targetNSUser  = "netsapiens.user"
	targetAcefone = "acefone.user"
	targetFD      = "fonedynamics.login"
	targetCove    = "cove.user"
)

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

// Ledger returns a snapshot of what was stored and the call counts. The
// bodies are shared with the sandbox: read them, do not modify them.
func (s *Server) Ledger() Ledger {
	l := Ledger{Created: make(map[string][]LedgerEntry), Stats: make(map[string]Stats)}
	s.store.Lock()
	for _, sm := range s.sims {
		for _, t := range sm.Targets {
			recs := s.store.Records(t)
			entries := make([]LedgerEntry, 0, len(recs))
			for _, r := range recs {
				entries = append(entries, LedgerEntry{Key: r.Key, ID: r.ID, Creates: r.Creates,
					Duplicates: r.Duplicates, Implicit: r.Implicit, Body: r.Body})
			}
			l.Created[t] = entries
		}
	}
	s.store.Unlock()
	for _, sm := range s.sims {
		name := sm.name
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
	s.store.Lock()
	s.store.Clear()
	s.store.Unlock()
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

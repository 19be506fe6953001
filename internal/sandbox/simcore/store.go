package simcore

import "sync"

// Record is one stored record; a simulator keeps its own answer shapes in
// Extra.
type Record struct {
	Target     string         // target ID: the ledger section
	Key        string         // natural key, formatted like schema.Record.Key
	ID         string         // the vendor's ID for the record
	Creates    int            // create calls accepted (0 for a side effect)
	Duplicates int            // later creates refused as clashing with it
	Implicit   bool           // made as a side effect of another create
	Body       map[string]any // fields received, normalized, secrets masked
	Extra      any
}

// Store keeps every vendor's records. Simulators hold its lock across
// their check-then-insert so two concurrent creates of one key cannot both
// win.
type Store struct {
	mu       sync.Mutex
	max      int
	count    int
	byTarget map[string][]*Record
	// index maps a namespaced unique name ("ns.login\x00jane@x") to the
	// record that holds it.
	index map[string]*Record
}

// NewStore returns an empty store that holds at most max records.
func NewStore(max int) *Store {
	st := &Store{max: max}
	st.Clear()
	return st
}

// Lock locks the store.
func (st *Store) Lock() { st.mu.Lock() }

// Unlock unlocks the store.
func (st *Store) Unlock() { st.mu.Unlock() }

// Clear forgets every record (lock held, or before any use).
func (st *Store) Clear() {
	st.count = 0
	st.byTarget = make(map[string][]*Record)
	st.index = make(map[string]*Record)
}

// Full reports whether another record would pass the bound (lock held).
func (st *Store) Full() bool { return st.count >= st.max }

// Get returns the record holding a unique name (lock held).
func (st *Store) Get(namespace, name string) *Record {
	return st.index[namespace+"\x00"+name]
}

// Add stores rec under the unique names given as namespace, name pairs
// (lock held).
func (st *Store) Add(rec *Record, names ...string) {
	st.count++
	st.byTarget[rec.Target] = append(st.byTarget[rec.Target], rec)
	for i := 0; i+1 < len(names); i += 2 {
		st.index[names[i]+"\x00"+names[i+1]] = rec
	}
}

// Records returns the records of one target in the order they were
// stored (lock held). The slice is the store's: do not modify it.
func (st *Store) Records(target string) []*Record { return st.byTarget[target] }

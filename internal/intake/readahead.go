package intake

import "sync"

// batchRows is how many rows a read-ahead hands over at a time.
const batchRows = 1024

// rowReadAhead runs a sheet's row parsing on its own goroutine, so the
// caller's work on each row (validation) overlaps with reading the next
// ones. Rows travel in batches to keep channel traffic negligible.
type rowReadAhead struct {
	batches  chan rowBatch
	done     chan struct{}
	exited   chan struct{}
	stopOnce sync.Once
	current  []Row
	finished bool
	err      error
}

type rowBatch struct {
	rows []Row
	last bool  // the source is exhausted after these rows
	err  error // with last: what stopped the source, if anything
}

// startRowReadAhead starts reading rows from next until it reports false;
// failure then says why, if it was not the end.
func startRowReadAhead(next func() (Row, bool), failure func() error) *rowReadAhead {
	a := &rowReadAhead{batches: make(chan rowBatch, 4), done: make(chan struct{}), exited: make(chan struct{})}
	go func() {
		defer close(a.exited)
		for {
			b := rowBatch{rows: make([]Row, 0, batchRows)}
			for len(b.rows) < batchRows {
				row, ok := next()
				if !ok {
					b.last, b.err = true, failure()
					break
				}
				b.rows = append(b.rows, row)
			}
			select {
			case a.batches <- b:
			case <-a.done:
				return
			}
			if b.last {
				return
			}
		}
	}()
	return a
}

// next returns the next row, waiting for the reading goroutine if needed.
func (a *rowReadAhead) next() (Row, bool) {
	for len(a.current) == 0 {
		if a.finished {
			return Row{}, false
		}
		b := <-a.batches
		a.current = b.rows
		if b.last {
			a.finished, a.err = true, b.err
		}
	}
	row := a.current[0]
	a.current[0] = Row{}
	a.current = a.current[1:]
	return row, true
}

// stop ends the reading goroutine and waits until it has returned.
func (a *rowReadAhead) stop() {
	a.stopOnce.Do(func() { close(a.done) })
	<-a.exited
	a.finished, a.current = true, nil
}

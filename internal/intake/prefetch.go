package intake

import (
	"io"
	"sync"
)

// prefetchReader reads ahead from src in its own goroutine, so unzipping a
// worksheet (a third of the work) runs on another core while the sheet is
// parsed. stop must be called to end the goroutine before src is closed.
type prefetchReader struct {
	full     chan prefetched
	free     chan []byte
	done     chan struct{}
	exited   chan struct{}
	stopOnce sync.Once
	held     []byte // the buffer being read from
	rest     []byte // its unread part
	err      error  // after rest: the error that ended src
}

type prefetched struct {
	buf []byte
	n   int
	err error
}

func newPrefetchReader(src io.Reader, size, count int) *prefetchReader {
	p := &prefetchReader{
		full:   make(chan prefetched, count),
		free:   make(chan []byte, count),
		done:   make(chan struct{}),
		exited: make(chan struct{}),
	}
	for i := 0; i < count; i++ {
		p.free <- make([]byte, size)
	}
	go p.fill(src)
	return p
}

func (p *prefetchReader) fill(src io.Reader) {
	defer close(p.exited)
	for {
		var buf []byte
		select {
		case buf = <-p.free:
		case <-p.done:
			return
		}
		n, err := io.ReadFull(src, buf)
		if err == io.ErrUnexpectedEOF {
			err = io.EOF
		}
		select {
		case p.full <- prefetched{buf: buf, n: n, err: err}:
		case <-p.done:
			return
		}
		if err != nil {
			return
		}
	}
}

func (p *prefetchReader) Read(b []byte) (int, error) {
	for len(p.rest) == 0 {
		if p.err != nil {
			return 0, p.err
		}
		if p.held != nil {
			p.free <- p.held // never blocks: free has room for every buffer
			p.held = nil
		}
		c := <-p.full
		p.held, p.rest, p.err = c.buf, c.buf[:c.n], c.err
	}
	n := copy(b, p.rest)
	p.rest = p.rest[n:]
	return n, nil
}

// stop ends the read-ahead and waits until it no longer touches src.
func (p *prefetchReader) stop() {
	p.stopOnce.Do(func() { close(p.done) })
	<-p.exited
	if p.err == nil {
		p.err = io.ErrClosedPipe
	}
}

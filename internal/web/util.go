package web

import (
	"context"
	"encoding/json"
	"log/slog"
	"path/filepath"
	"strings"
)

func jsonString(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}

// publicError is err's message with the server's paths taken out: a page
// never shows where files live.
func (s *Server) publicError(err error) string {
	if err == nil {
		return ""
	}
	return s.hidePaths(err.Error())
}

// stripDir removes every path under dir from msg, keeping file names.
func stripDir(msg, dir string) string {
	if dir == "" || dir == "." {
		return msg
	}
	for {
		i := strings.Index(msg, dir)
		if i < 0 {
			return msg
		}
		j := i + len(dir)
		for j < len(msg) && msg[j] != ' ' && msg[j] != ':' && msg[j] != ',' && msg[j] != ')' && msg[j] != '"' {
			j++
		}
		msg = msg[:i] + filepath.Base(msg[i:j]) + msg[j:]
	}
}

// pathRedactor is a slog.Handler that takes the data directory's paths
// out of every message and value, keeping file names: the log says which
// batch, never where its files live.
type pathRedactor struct {
	next slog.Handler
	s    *Server
}

func (p pathRedactor) Enabled(ctx context.Context, l slog.Level) bool { return p.next.Enabled(ctx, l) }

func (p pathRedactor) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, p.s.hidePaths(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(p.redact(a))
		return true
	})
	return p.next.Handle(ctx, out)
}

func (p pathRedactor) WithAttrs(attrs []slog.Attr) slog.Handler {
	red := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		red[i] = p.redact(a)
	}
	return pathRedactor{next: p.next.WithAttrs(red), s: p.s}
}

func (p pathRedactor) WithGroup(name string) slog.Handler {
	return pathRedactor{next: p.next.WithGroup(name), s: p.s}
}

// redact rewrites a string or error value without the data directory.
func (p pathRedactor) redact(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, p.s.hidePaths(v.String()))
	case slog.KindAny:
		if err, ok := v.Any().(error); ok {
			return slog.String(a.Key, p.s.hidePaths(err.Error()))
		}
	case slog.KindGroup:
		attrs := v.Group()
		out := make([]any, len(attrs))
		for i, x := range attrs {
			out[i] = p.redact(x)
		}
		return slog.Group(a.Key, out...)
	}
	return a
}

// hidePaths is publicError for a string.
func (s *Server) hidePaths(msg string) string {
	if abs, err := filepath.Abs(s.opt.DataDir); err == nil {
		msg = stripDir(msg, abs)
	}
	return stripDir(msg, s.opt.DataDir)
}

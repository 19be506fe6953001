package web

import (
	"encoding/json"
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
	msg := err.Error()
	dir := s.opt.DataDir
	if abs, e := filepath.Abs(dir); e == nil {
		msg = stripDir(msg, abs)
	}
	return stripDir(msg, dir)
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

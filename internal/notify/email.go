package notify

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"html/template"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	mail "github.com/wneessen/go-mail"

	"github.com/onboard/onboard/internal/config"
)

// MaxAttachment is the largest workbook attached; a larger one is named
// in the message but not attached.
const MaxAttachment = 15 << 20

// workbookTypes are the only files ever attached: the result or validation
// workbook (or results CSV), never a credentials file or anything else.
var workbookTypes = map[string]mail.ContentType{
	".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	".csv":  "text/csv",
}

// sendEmail sends the summary to the outcome's recipients, retrying on
// connection failures and temporary (4xx) answers.
func (n *Notifier) sendEmail(ctx context.Context, s *Summary) (int, error) {
	e := n.Config.Email
	msg, note, err := n.message(e, s)
	if err != nil {
		return 0, redact(fmt.Errorf("e-mail: %w", err), e.Password)
	}
	if note != "" && n.Logger != nil {
		n.Logger.Warn("e-mail sent without the workbook", "reason", note)
	}
	tries, err := n.retry(ctx, func(ctx context.Context) (bool, error) {
		c, err := n.smtpClient(ctx, e)
		if err != nil {
			return false, err
		}
		err = c.DialAndSendWithContext(ctx, msg)
		var se *mail.SendError
		if errors.As(err, &se) && !se.IsTemp() {
			return false, err
		}
		return true, err
	})
	if err != nil {
		err = redact(fmt.Errorf("e-mail via %s:%d: %w (tried %d times)", e.Host, e.Port, deadlineWords(err, attemptTimeout), tries), e.Password)
	}
	return tries, err
}

// smtpClient builds the SMTP client for the configured security mode. Its
// reads and writes are bounded by ctx's deadline, as its dial is.
func (n *Notifier) smtpClient(ctx context.Context, e *config.Email) (*mail.Client, error) {
	tc := &tls.Config{MinVersion: tls.VersionTLS12}
	if n.TLSConfig != nil {
		tc = n.TLSConfig.Clone()
	}
	if tc.ServerName == "" {
		tc.ServerName = e.Host
	}
	bound := attemptTimeout
	if d, ok := ctx.Deadline(); ok && time.Until(d) < bound {
		bound = max(time.Until(d), time.Millisecond)
	}
	opts := []mail.Option{mail.WithPort(e.Port), mail.WithTimeout(bound), mail.WithTLSConfig(tc)}
	auth := mail.SMTPAuthAutoDiscover // the strongest the server offers over TLS
	switch e.TLS {
	case config.TLSImplicit:
		opts = append(opts, mail.WithSSL())
	case config.TLSNone:
		// Only to this machine (the configuration refuses anything else),
		// where PLAIN without TLS crosses no network.
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
		auth = mail.SMTPAuthPlainNoEnc
	default:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	}
	if dial := n.Dial; dial != nil {
		if e.TLS == config.TLSImplicit {
			// go-mail leaves TLS to a custom dialer and then does not know
			// the connection is encrypted; PLAIN checks that for itself.
			dial = tlsDial(dial, tc)
			auth = mail.SMTPAuthPlain
		}
		opts = append(opts, mail.WithDialContextFunc(dial))
	}
	if e.Username != "" {
		opts = append(opts, mail.WithSMTPAuth(auth), mail.WithUsername(e.Username), mail.WithPassword(e.Password))
	}
	host := e.Host
	if strings.Contains(host, ":") {
		host = "[" + host + "]" // go-mail joins host and port with a bare ':'
	}
	c, err := mail.NewClient(host, opts...)
	if err != nil {
		return nil, fmt.Errorf("cannot set up the mail client: %w", err)
	}
	return c, nil
}

// tlsDial wraps dial so the connection speaks TLS from the first byte.
func tlsDial(dial func(context.Context, string, string) (net.Conn, error), tc *tls.Config) func(context.Context, string, string) (net.Conn, error) {
	return func(ctx context.Context, network, address string) (net.Conn, error) {
		raw, err := dial(ctx, network, address)
		if err != nil {
			return nil, err
		}
		conn := tls.Client(raw, tc)
		if err := conn.HandshakeContext(ctx); err != nil {
			_ = raw.Close()
			return nil, err
		}
		return conn, nil
	}
}

// message builds the e-mail. note says why the workbook is not attached
// when it is not ("" when it is, or there is none).
func (n *Notifier) message(e *config.Email, s *Summary) (*mail.Msg, string, error) {
	m := mail.NewMsg()
	if err := m.From(e.From); err != nil {
		return nil, "", fmt.Errorf("the from: address cannot be used: %w", err)
	}
	if err := m.To(e.Recipients(s.Outcome)...); err != nil {
		return nil, "", fmt.Errorf("a to: address cannot be used: %w", err)
	}
	m.Subject(s.Subject())
	m.SetDate()
	m.SetMessageID()
	data, note := attachment(s)
	text := s.plain
	if note != "" {
		text += "\n(" + note + ")"
	}
	m.SetBodyString(mail.TypeTextPlain, text+"\n")
	html, err := s.html(note)
	if err != nil {
		return nil, "", err
	}
	m.AddAlternativeString(mail.TypeTextHTML, html)
	if data != nil {
		ext := strings.ToLower(filepath.Ext(s.resultPath))
		if err := m.AttachReader(s.ResultFile, bytes.NewReader(data), mail.WithFileContentType(workbookTypes[ext])); err != nil {
			return nil, "", fmt.Errorf("cannot attach %s: %w", s.ResultFile, err)
		}
	}
	return m, note, nil
}

// attachment reads the workbook to attach. It refuses anything that is
// not a workbook, and the credentials file whatever its name.
func attachment(s *Summary) ([]byte, string) {
	if s.resultPath == "" {
		return nil, ""
	}
	if _, ok := workbookTypes[strings.ToLower(filepath.Ext(s.resultPath))]; !ok {
		return nil, s.ResultFile + " is not a workbook, so it was not attached"
	}
	if s.credentials != "" && sameFile(s.resultPath, s.credentials) {
		return nil, "the credentials file is never attached"
	}
	fi, err := os.Stat(s.resultPath)
	switch {
	case err != nil:
		return nil, s.ResultFile + " could not be read, so it was not attached"
	case fi.Size() > MaxAttachment:
		return nil, fmt.Sprintf("%s is %d MB, too large to attach; find it in the reports folder", s.ResultFile, fi.Size()>>20)
	}
	data, err := os.ReadFile(s.resultPath)
	if err != nil {
		return nil, s.ResultFile + " could not be read, so it was not attached"
	}
	return data, ""
}

// sameFile reports whether two paths name one file.
func sameFile(a, b string) bool {
	if filepath.Clean(a) == filepath.Clean(b) {
		return true
	}
	fa, errA := os.Stat(a)
	fb, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(fa, fb)
}

var htmlBody = template.Must(template.New("mail").Parse(`<!DOCTYPE html>
<html><body style="font-family: sans-serif">
<h2>{{.Heading}}</h2>
<p>{{.S.Verdict}}</p>
{{- if .S.Error}}<p><strong>{{.S.Error}}</strong></p>{{end}}
<ul>
{{- if .S.Headline}}<li>{{.S.Headline}}</li>{{end}}
{{- if .S.RecordsLine}}<li>{{.S.RecordsLine}}</li>{{end}}
</ul>
{{- if .S.Problems}}
<h3>To fix</h3>
<table border="1" cellpadding="4" style="border-collapse: collapse">
<tr><th>Where</th><th>Problem</th></tr>
{{- range .S.Problems}}
<tr><td>{{.Where}}</td><td>{{.Message}}</td></tr>
{{- end}}
</table>
{{- if .More}}<p>…and {{.More}} more in the result workbook.</p>{{end}}
{{- end}}
{{- if .S.ResultFile}}<p>Result: {{.S.ResultFile}}{{if .Note}} ({{.Note}}){{else}} (attached){{end}}</p>{{end}}
{{- if .S.RunID}}<p style="color: #666">Run {{.S.RunID}}</p>{{end}}
</body></html>
`))

// Headline and RecordsLine expose the count lines to the HTML template.
func (s *Summary) Headline() string { return s.headline }

// RecordsLine is the records' count line ("31 accounts: 25 created, ...").
func (s *Summary) RecordsLine() string { return s.records }

func (s *Summary) html(note string) (string, error) {
	var b strings.Builder
	err := htmlBody.Execute(&b, map[string]any{
		"Heading": s.Subject(), "S": s, "More": s.ProblemsTotal - len(s.Problems), "Note": note,
	})
	if err != nil {
		return "", fmt.Errorf("cannot write the HTML body: %w", err)
	}
	return b.String(), nil
}

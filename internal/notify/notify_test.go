package notify

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/onboard/onboard/internal/config"
	"github.com/onboard/onboard/internal/netguard"
	"github.com/onboard/onboard/internal/outcome"
)

const (
	smtpPassword  = "smtp-Pa55word!x9"
	webhookSecret = "whsec-0123456789abcdef"
	credLine      = "Ann Lee,ann@example.com,Gen3rated-Pw-7781"
)

// fixture is a finished run on disk: its result workbook and the
// credentials file a real run leaves beside it.
type fixture struct {
	res      *outcome.Result
	workbook []byte
	creds    []byte
}

// problemsRun is an HR-sheet run where one of three people needs fixing.
func problemsRun(t *testing.T) fixture {
	t.Helper()
	dir := t.TempDir()
	f := fixture{workbook: []byte("PK\x03\x04 pretend-xlsx \x00\x01\x02 bytes"), creds: []byte("name,email,password\n" + credLine + "\n")}
	report := filepath.Join(dir, "new-hires-result-20261130-020000-ab12.xlsx")
	creds := filepath.Join(dir, "new-hires-credentials.csv")
	must(t, os.WriteFile(report, f.workbook, 0o600))
	must(t, os.WriteFile(creds, f.creds, 0o600))
	start := time.Date(2026, 11, 30, 2, 0, 0, 0, time.UTC)
	r := &outcome.Result{
		RunID: "20261130-020000-ab12", Input: "/srv/inbox/processing/new-hires.xlsx", Start: start, End: start.Add(time.Minute),
		People: []outcome.Person{
			{Sheet: "Hires", Row: 2, Name: "Ann Lee"},
			{Sheet: "Hires", Row: 3, Name: "Bo Chen"},
			{Sheet: "Hires", Row: 9, Name: "Cy <Dee>", Problems: []string{"Email * (E9): \"cy@@example\" is not an e-mail address; write it like name@example.com"}},
		},
		Records: []outcome.Record{
			{Target: "netsapiens.user", System: "NetSapiens", Sheet: "Hires", Row: 2, Person: 0, Status: outcome.Created},
			{Target: "netsapiens.user", System: "NetSapiens", Sheet: "Hires", Row: 3, Person: 1, Status: outcome.Created},
			{Target: "netsapiens.user", System: "NetSapiens", Sheet: "Hires", Row: 9, Person: 2, Status: outcome.Invalid, RowProblem: true},
		},
		Report: report, Credentials: creds, NewPasswords: 2,
	}
	r.Settle()
	f.res = r
	return f
}

func successRun(t *testing.T) fixture {
	t.Helper()
	f := problemsRun(t)
	f.res.People = f.res.People[:2]
	f.res.Records = f.res.Records[:2]
	f.res.Settle()
	return f
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// secrets are what must never leave in a notification.
func (f fixture) secrets() []string {
	return []string{smtpPassword, webhookSecret, credLine, "Gen3rated-Pw-7781", string(f.creds)}
}

// assertNoSecret fails when any secret is in any of the texts.
func assertNoSecret(t *testing.T, f fixture, what string, texts ...[]byte) {
	t.Helper()
	for _, s := range f.secrets() {
		for _, b := range texts {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("%s contains the secret %q", what, s)
			}
		}
	}
}

func emailConfig(port int, tlsMode string, to map[string][]string) *config.Notify {
	return &config.Notify{Email: &config.Email{
		Host: "127.0.0.1", Port: port, TLS: tlsMode, Username: "onboard@example.com", Password: smtpPassword,
		From: "Onboarding <onboard@example.com>", To: to, On: config.Outcomes,
	}}
}

func newNotifier(t *testing.T, cfg *config.Notify) *Notifier {
	t.Helper()
	return &Notifier{Config: cfg, HTTP: netguard.Client(t), Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Dial:    netguard.Dialer(func(address string, err error) { t.Errorf("left this machine: %v", err) }),
		Backoff: 20 * time.Millisecond}
}

func TestEmailStartTLSToEachOutcomesRecipientsWithWorkbook(t *testing.T) {
	serverTLS, clientTLS := testTLS(t)
	sk := startSink(t, sinkOptions{user: "onboard@example.com", password: smtpPassword, tls: serverTLS})
	f := problemsRun(t)
	cfg := emailConfig(sk.Port, config.TLSStartTLS, map[string][]string{
		"problems": {"hr@example.com"}, "summary": {"it@example.com"}, "failure": {"oncall@example.com"},
	})
	n := newNotifier(t, cfg)
	n.TLSConfig = clientTLS
	var logs bytes.Buffer
	n.Logger = slog.New(slog.NewTextHandler(&logs, nil))

	s := Build(Run{Result: f.res, Source: "inbox"})
	if err := n.Send(context.Background(), s); err != nil {
		t.Fatalf("Send: %v", err)
	}
	m := sk.next(t)
	if m.User != "onboard@example.com" || m.Password != smtpPassword {
		t.Errorf("signed in as %q", m.User)
	}
	if m.From != "onboard@example.com" {
		t.Errorf("MAIL FROM %q", m.From)
	}
	slices.Sort(m.To)
	if want := []string{"hr@example.com", "it@example.com"}; !slices.Equal(m.To, want) {
		t.Errorf("recipients %v, want %v (problems and summary, not failure)", m.To, want)
	}
	h, parts := parseMessage(t, m.Data)
	subj := decodeHeader(t, h.Get("Subject"))
	if want := "onboard: needs fixing: new-hires.xlsx (3 people: 2 all done, 1 failed)"; subj != want {
		t.Errorf("subject %q, want %q", subj, want)
	}
	text, html, att := classify(t, parts)
	for _, want := range []string{"Hires row 9 (Cy <Dee>): Email * (E9):", "3 people: 2 all done, 1 failed", "Result: new-hires-result-20261130-020000-ab12.xlsx", "Run 20261130-020000-ab12"} {
		if !strings.Contains(text, want) {
			t.Errorf("plain body lacks %q:\n%s", want, text)
		}
	}
	for _, want := range []string{"<table", "Hires row 9 (Cy &lt;Dee&gt;)", "Email * (E9): &#34;cy@@example&#34; is not an e-mail address", "(attached)"} {
		if !strings.Contains(html, want) {
			t.Errorf("HTML body lacks %q:\n%s", want, html)
		}
	}
	if att == nil {
		t.Fatal("no attachment")
	}
	if att.Filename != "new-hires-result-20261130-020000-ab12.xlsx" || !bytes.Equal(att.Body, f.workbook) {
		t.Errorf("attachment %q with %d bytes, want the workbook's %d bytes", att.Filename, len(att.Body), len(f.workbook))
	}
	if !strings.Contains(att.Type, "spreadsheetml") {
		t.Errorf("attachment type %q", att.Type)
	}
	decoded := [][]byte{m.Data, logs.Bytes()}
	for _, p := range parts {
		decoded = append(decoded, p.Body)
	}
	assertNoSecret(t, f, "the e-mail or the log", decoded...)
}

func TestEmailImplicitTLSSuccessGoesToSummaryOnly(t *testing.T) {
	serverTLS, clientTLS := testTLS(t)
	sk := startSink(t, sinkOptions{user: "onboard@example.com", password: smtpPassword, tls: serverTLS, implicit: true})
	f := successRun(t)
	n := newNotifier(t, emailConfig(sk.Port, config.TLSImplicit, map[string][]string{
		"problems": {"hr@example.com"}, "summary": {"it@example.com"},
	}))
	n.TLSConfig = clientTLS
	if err := n.Send(context.Background(), Build(Run{Result: f.res})); err != nil {
		t.Fatalf("Send: %v", err)
	}
	m := sk.next(t)
	if !slices.Equal(m.To, []string{"it@example.com"}) {
		t.Errorf("recipients %v, want only it@example.com", m.To)
	}
	h, parts := parseMessage(t, m.Data)
	if subj := decodeHeader(t, h.Get("Subject")); subj != "onboard: done: new-hires.xlsx (2 people: 2 all done)" {
		t.Errorf("subject %q", subj)
	}
	_, _, att := classify(t, parts)
	if att == nil || !bytes.Equal(att.Body, f.workbook) {
		t.Error("the workbook is not attached")
	}
	assertNoSecret(t, f, "the e-mail", m.Data)
}

func TestEmailPlainToLoopbackRelay(t *testing.T) {
	sk := startSink(t, sinkOptions{user: "relay", password: smtpPassword})
	f := problemsRun(t)
	cfg := emailConfig(sk.Port, config.TLSNone, map[string][]string{"summary": {"it@example.com"}})
	cfg.Email.Username = "relay"
	if err := newNotifier(t, cfg).Send(context.Background(), Build(Run{Result: f.res})); err != nil {
		t.Fatalf("Send: %v", err)
	}
	m := sk.next(t)
	if m.User != "relay" {
		t.Errorf("not signed in: %q", m.User)
	}
	_, parts := parseMessage(t, m.Data)
	var all [][]byte
	for _, p := range parts {
		all = append(all, p.Body)
	}
	assertNoSecret(t, f, "the e-mail", append(all, m.Data)...)
}

func TestEmailNeverSignsInUnencrypted(t *testing.T) {
	_, clientTLS := testTLS(t)
	otherServer := &tls.Config{Certificates: []tls.Certificate{selfSigned(t)}} // not trusted by clientTLS
	for _, tc := range []struct {
		name string
		sink sinkOptions
	}{
		{"server offers no STARTTLS", sinkOptions{user: "onboard@example.com", password: smtpPassword}},
		{"server's certificate is not trusted", sinkOptions{user: "onboard@example.com", password: smtpPassword, tls: otherServer}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sk := startSink(t, tc.sink)
			f := problemsRun(t)
			n := newNotifier(t, emailConfig(sk.Port, config.TLSStartTLS, map[string][]string{"summary": {"it@example.com"}}))
			n.TLSConfig = clientTLS
			err := n.Send(context.Background(), Build(Run{Result: f.res}))
			if err == nil {
				t.Fatal("sent without a trusted encrypted connection")
			}
			if len(sk.msgs) != 0 {
				t.Error("the sink received a message")
			}
			assertNoSecret(t, f, "the error", []byte(err.Error()))
		})
	}
}

func TestEmailNotSentForOutcomeNotSelected(t *testing.T) {
	sk := startSink(t, sinkOptions{})
	f := successRun(t)
	cfg := emailConfig(sk.Port, config.TLSNone, map[string][]string{"summary": {"it@example.com"}})
	cfg.Email.Username, cfg.Email.Password = "", ""
	cfg.Email.On = []string{config.OnFailure, config.OnProblems}
	if err := newNotifier(t, cfg).Send(context.Background(), Build(Run{Result: f.res})); err != nil {
		t.Fatal(err)
	}
	if n := sk.sessionCount(); n != 0 {
		t.Errorf("%d SMTP sessions for an outcome not in on:", n)
	}
}

func TestCredentialsFileIsNeverAttached(t *testing.T) {
	sk := startSink(t, sinkOptions{})
	f := problemsRun(t)
	f.res.Report = f.res.Credentials // a mix-up must not mail the passwords
	cfg := emailConfig(sk.Port, config.TLSNone, map[string][]string{"summary": {"it@example.com"}})
	cfg.Email.Username, cfg.Email.Password = "", ""
	if err := newNotifier(t, cfg).Send(context.Background(), Build(Run{Result: f.res})); err != nil {
		t.Fatal(err)
	}
	m := sk.next(t)
	_, parts := parseMessage(t, m.Data)
	var all [][]byte
	for _, p := range parts {
		if p.Filename != "" {
			t.Errorf("attached %q", p.Filename)
		}
		all = append(all, p.Body)
	}
	assertNoSecret(t, f, "the e-mail", append(all, m.Data)...)
	if text, _, _ := classify(t, parts); strings.Contains(text, "credentials") {
		t.Errorf("the body names the credentials file:\n%s", text)
	}
}

func TestWebhookSignedSummary(t *testing.T) {
	f := problemsRun(t)
	var got struct {
		body []byte
		hdr  http.Header
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got.body, got.hdr = body, r.Header.Clone()
		if !Verify(webhookSecret, body, r.Header.Get(SignatureHeader)) {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	cfg := &config.Notify{Webhook: &config.Webhook{URL: srv.URL + "/hooks/T000/B000/tok3n", Secret: webhookSecret, On: config.Outcomes}}
	if err := newNotifier(t, cfg).Send(context.Background(), Build(Run{Result: f.res, Source: "schedule"})); err != nil {
		t.Fatalf("Send: %v", err)
	}
	if sig := got.hdr.Get(SignatureHeader); !strings.HasPrefix(sig, "sha256=") || len(sig) != 7+64 {
		t.Errorf("signature header %q", sig)
	}
	if got.hdr.Get("Content-Type") != "application/json" {
		t.Errorf("Content-Type %q", got.hdr.Get("Content-Type"))
	}
	var doc struct {
		Schema  int    `json:"schema"`
		Outcome string `json:"outcome"`
		Text    string `json:"text"`
		Source  string `json:"source"`
		RunID   string `json:"run_id"`
		Input   string `json:"input"`
		People  struct {
			Total    int            `json:"total"`
			ByStatus map[string]int `json:"by_status"`
		} `json:"people"`
		Records struct {
			Total    int            `json:"total"`
			ByStatus map[string]int `json:"by_status"`
		} `json:"records"`
		Problems []struct {
			Sheet, Person, Message string
			Row                    int
		} `json:"problems"`
		ProblemsTotal int    `json:"problems_total"`
		ResultFile    string `json:"result_file"`
	}
	if err := json.Unmarshal(got.body, &doc); err != nil {
		t.Fatalf("body is not JSON: %v\n%s", err, got.body)
	}
	if doc.Schema != 1 || doc.Outcome != "problems" || doc.Source != "schedule" || doc.RunID != "20261130-020000-ab12" || doc.Input != "new-hires.xlsx" {
		t.Errorf("header fields: %+v", doc)
	}
	if doc.People.Total != 3 || doc.People.ByStatus["all done"] != 2 || doc.People.ByStatus["failed"] != 1 {
		t.Errorf("people %+v", doc.People)
	}
	if doc.Records.Total != 3 || doc.Records.ByStatus["created"] != 2 || doc.Records.ByStatus["invalid"] != 1 {
		t.Errorf("records %+v", doc.Records)
	}
	if doc.ProblemsTotal != 1 || len(doc.Problems) != 1 || doc.Problems[0].Row != 9 || doc.Problems[0].Sheet != "Hires" ||
		!strings.HasPrefix(doc.Problems[0].Message, "Email * (E9):") {
		t.Errorf("problems %+v", doc.Problems)
	}
	if doc.ResultFile != "new-hires-result-20261130-020000-ab12.xlsx" {
		t.Errorf("result_file %q", doc.ResultFile)
	}
	if !strings.Contains(doc.Text, "onboard problems: new-hires.xlsx") || !strings.Contains(doc.Text, "Hires row 9 (Cy &lt;Dee&gt;)") {
		t.Errorf("text %q", doc.Text)
	}
	assertNoSecret(t, f, "the webhook body or headers", got.body, []byte(fmt.Sprint(got.hdr)))
}

func TestWebhookRetriesServerErrorsButNotRefusals(t *testing.T) {
	for _, tc := range []struct {
		name   string
		codes  []int
		tries  int32
		failed bool
	}{
		{"503 then 200", []int{503, 200}, 2, false},
		{"429 three times", []int{429, 429, 429, 429}, 3, true},
		{"403 is not retried", []int{403, 200}, 1, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var calls atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				i := calls.Add(1) - 1
				w.WriteHeader(tc.codes[i])
			}))
			defer srv.Close()
			cfg := &config.Notify{Webhook: &config.Webhook{URL: srv.URL + "/x", Secret: webhookSecret, On: config.Outcomes}}
			err := newNotifier(t, cfg).Send(context.Background(), Build(Run{Result: successRun(t).res}))
			if (err != nil) != tc.failed {
				t.Errorf("err = %v", err)
			}
			if calls.Load() != tc.tries {
				t.Errorf("%d requests, want %d", calls.Load(), tc.tries)
			}
		})
	}
}

// closedPort returns a 127.0.0.1 address nothing listens on.
func closedPort(t *testing.T) (string, int) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	addr := ln.Addr().(*net.TCPAddr)
	must(t, ln.Close())
	return addr.String(), addr.Port
}

func TestReceiversDownDoNotFailOrHang(t *testing.T) {
	f := problemsRun(t)
	addr, port := closedPort(t)
	cfg := emailConfig(port, config.TLSNone, map[string][]string{"summary": {"it@example.com"}})
	cfg.Webhook = &config.Webhook{URL: "http://" + addr + "/services/T0/B0/sEcReTtOkEn", Secret: webhookSecret, On: config.Outcomes}
	var logs bytes.Buffer
	n := newNotifier(t, cfg)
	n.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	n.Timeout = 3 * time.Second
	start := time.Now()
	err := n.Send(context.Background(), Build(Run{Result: f.res}))
	if took := time.Since(start); took > n.Timeout+time.Second {
		t.Errorf("Send took %s with both receivers down; the bound is %s", took, n.Timeout)
	}
	if err == nil {
		t.Fatal("no error with both receivers down")
	}
	msg := err.Error()
	for _, want := range []string{"webhook http://" + addr + "/…", "e-mail via 127.0.0.1:", "tried 3 times"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q: %s", want, msg)
		}
	}
	assertNoSecret(t, f, "the error or the log", []byte(msg), logs.Bytes())
	if strings.Contains(msg+logs.String(), "sEcReTtOkEn") {
		t.Errorf("the webhook URL's token leaked: %s\n%s", msg, logs.String())
	}
}

func TestHungWebhookIsCutOffAtTheBound(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer srv.Close()
	defer close(release)
	cfg := &config.Notify{Webhook: &config.Webhook{URL: srv.URL, On: config.Outcomes}}
	n := newNotifier(t, cfg)
	n.Timeout = 300 * time.Millisecond
	start := time.Now()
	err := n.Send(context.Background(), Build(Run{Result: successRun(t).res}))
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("Send took %s against a receiver that never answers; the bound is %s", took, n.Timeout)
	}
	if err == nil {
		t.Error("no error from a receiver that never answered")
	}
}

func TestClassify(t *testing.T) {
	ok := successRun(t).res
	bad := problemsRun(t).res
	failed := successRun(t).res
	failed.Records[1].Status = outcome.Failed
	failed.Settle()
	interrupted := successRun(t).res
	interrupted.Interrupted = true
	sheet := successRun(t).res
	sheet.SheetProblems = []string{"Hires: the column Email * is missing"}
	for _, tc := range []struct {
		name string
		r    *outcome.Result
		err  error
		want string
	}{
		{"all done", ok, nil, Success},
		{"someone needs fixing", bad, nil, Problems},
		{"a sheet problem", sheet, nil, Problems},
		{"a record failed", failed, nil, Failure},
		{"interrupted", interrupted, nil, Failure},
		{"could not finish", ok, errors.New("state store: disk full"), Failure},
		{"could not start", nil, errors.New("new-hires.xlsx: not a spreadsheet"), Failure},
	} {
		s := Build(Run{Result: tc.r, Err: tc.err, Input: "/in/new-hires.xlsx"})
		if s.Outcome != tc.want {
			t.Errorf("%s: outcome %s, want %s", tc.name, s.Outcome, tc.want)
		}
	}
	s := Build(Run{Err: errors.New("new-hires.xlsx: not a spreadsheet"), Input: "/in/new-hires.xlsx"})
	if s.Input != "new-hires.xlsx" || !strings.Contains(s.Text, "not a spreadsheet") || !strings.Contains(s.Subject(), "FAILED") {
		t.Errorf("summary of a run that could not start: %+v / %q", s, s.Subject())
	}
}

func TestSummaryListsTheFirstProblems(t *testing.T) {
	f := problemsRun(t)
	r := f.res
	for i := range 14 {
		r.People = append(r.People, outcome.Person{Sheet: "Hires", Row: 20 + i, Name: fmt.Sprint("P", i), Problems: []string{fmt.Sprintf("Role (C%d): unknown role", 20+i)}})
	}
	r.Settle()
	s := Build(Run{Result: r})
	if len(s.Problems) != MaxProblems || s.ProblemsTotal != 15 {
		t.Fatalf("%d problems listed of %d", len(s.Problems), s.ProblemsTotal)
	}
	if s.Problems[0].Row != 9 || s.Problems[1].Message != "Role (C20): unknown role" {
		t.Errorf("order: %+v", s.Problems[:2])
	}
	if !strings.Contains(s.Text, "…and 5 more in the result workbook") {
		t.Errorf("text: %s", s.Text)
	}
}

func TestPerVendorSheetProblemsNameTheirRow(t *testing.T) {
	r := &outcome.Result{Input: "acefone.xlsx", Records: []outcome.Record{
		{Target: "acefone.user", System: "Acefone", Sheet: "Users", Row: 2, Status: outcome.Created},
		{Target: "acefone.user", System: "Acefone", Sheet: "Users", Row: 3, Status: outcome.Failed, Message: "Acefone refused: extension 201 is taken"},
	}}
	s := Build(Run{Result: r})
	if s.Outcome != Failure || s.People != nil || len(s.Problems) != 1 || s.Problems[0].Where() != "Users row 3 (Acefone)" {
		t.Errorf("%+v", s)
	}
	if !strings.Contains(s.Text, "2 rows: 1 created, 1 failed") {
		t.Errorf("text: %s", s.Text)
	}
}

func TestSendWithoutConfigurationDoesNothing(t *testing.T) {
	var n *Notifier
	if err := n.Send(context.Background(), Build(Run{})); err != nil {
		t.Error(err)
	}
	if err := (&Notifier{}).Send(context.Background(), nil); err != nil {
		t.Error(err)
	}
}

// classify picks the plain body, the HTML body and the attachment.
func classify(t *testing.T, parts []part) (text, html string, att *part) {
	t.Helper()
	for i, p := range parts {
		switch {
		case p.Filename != "":
			att = &parts[i]
		case p.Type == "text/plain":
			text = string(p.Body)
		case p.Type == "text/html":
			html = string(p.Body)
		}
	}
	if text == "" || html == "" {
		t.Errorf("missing a body: plain %d bytes, HTML %d bytes", len(text), len(html))
	}
	return text, html, att
}

func decodeHeader(t *testing.T, v string) string {
	t.Helper()
	d := new(mime.WordDecoder)
	s, err := d.DecodeHeader(v)
	if err != nil {
		t.Fatalf("header %q: %v", v, err)
	}
	return s
}

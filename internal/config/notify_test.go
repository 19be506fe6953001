package config

import (
	"context"
	"net"
	"slices"
	"strings"
	"testing"

	"github.com/onboard/onboard/internal/netguard"
)

const vendorsPart = "vendors:\n  acefone: {login_id: ops@example.com}\n"

var notifyEnv = map[string]string{
	"ONBOARD_WEBHOOK_SECRET": "whsec-aaaa1111",
	"ONBOARD_SMTP_PASSWORD":  "smtpPw-bbbb2222",
	"HOOK_URL":               "https://hooks.slack.com/services/T00/B00/tokenXYZ123",
}

func TestNotifySection(t *testing.T) {
	cfg := mustParse(t, vendorsPart+`notify:
  webhook:
    url: "${HOOK_URL}"
    secret: "${ONBOARD_WEBHOOK_SECRET}"
    on: [failure, problems]
  email:
    host: smtp.example.com
    username: onboard@example.com
    password: "${ONBOARD_SMTP_PASSWORD}"
    from: "Onboarding <onboard@example.com>"
    to:
      problems: [hr@example.com]
      summary: [it@example.com, HR@example.com]
    on: [success, failure, problems]
`, notifyEnv)
	n := cfg.Notify()
	if n == nil || n.Webhook == nil || n.Email == nil {
		t.Fatalf("notify = %+v", n)
	}
	w := n.Webhook
	if w.URL != notifyEnv["HOOK_URL"] || w.Secret != "whsec-aaaa1111" || !slices.Equal(w.On, []string{"failure", "problems"}) || w.Line != 4 {
		t.Errorf("webhook = %+v", *w)
	}
	if w.Sends(OnSuccess) || !w.Sends(OnFailure) {
		t.Error("webhook Sends does not follow on:")
	}
	e := n.Email
	if e.Host != "smtp.example.com" || e.Port != 587 || e.TLS != TLSStartTLS || e.Password != "smtpPw-bbbb2222" ||
		e.From != `"Onboarding" <onboard@example.com>` || !slices.Equal(e.On, Outcomes) {
		t.Errorf("email = %+v", *e)
	}
	if got := e.Recipients(OnProblems); !slices.Equal(got, []string{"<hr@example.com>", "<it@example.com>"}) {
		t.Errorf("problems go to %v (each address once)", got)
	}
	if got := e.Recipients(OnSuccess); !slices.Equal(got, []string{"<it@example.com>", "<HR@example.com>"}) {
		t.Errorf("success goes to %v", got)
	}
	shown := n.String() + cfg.String()
	for _, secret := range []string{"whsec-aaaa1111", "smtpPw-bbbb2222", "tokenXYZ123", "/services/"} {
		if strings.Contains(shown, secret) {
			t.Errorf("String shows %q: %s", secret, shown)
		}
	}
	if !strings.Contains(shown, "url=https://hooks.slack.com/…") {
		t.Errorf("String = %s", shown)
	}
	if len(cfg.Warnings()) != 0 {
		t.Errorf("warnings: %v", cfg.Warnings())
	}
}

func TestNotifyDefaults(t *testing.T) {
	cfg := mustParse(t, vendorsPart+`notify:
  email: {host: 127.0.0.1, tls: none, from: onboard@localhost, to: it@example.com}
  webhook: {url: "http://127.0.0.1:9000/hook"}
`, nil)
	e, w := cfg.Notify().Email, cfg.Notify().Webhook
	if e.Port != 25 || e.Username != "" || !slices.Equal(e.On, Outcomes) || !slices.Equal(e.Recipients(OnSuccess), []string{"<it@example.com>"}) {
		t.Errorf("email = %+v", *e)
	}
	if !slices.Equal(w.On, Outcomes) || w.Secret != "" {
		t.Errorf("webhook = %+v", *w)
	}
	if ws := strings.Join(cfg.Warnings(), "\n"); !strings.Contains(ws, "onboard.yaml:5: notify.webhook has no secret") {
		t.Errorf("warnings: %s", ws)
	}
	if got := mustParse(t, vendorsPart+"notify:\n  email: {host: mail.example.com, tls: tls, from: a@example.com, to: [b@example.com]}\n", nil).Notify().Email.Port; got != 465 {
		t.Errorf("tls: tls port %d, want 465", got)
	}
	if mustParse(t, vendorsPart, nil).Notify() != nil {
		t.Error("a file without notify: has a Notify section")
	}
}

// TestPlainSMTPOnlyToThisMachine: tls: none to another machine is refused
// when the file is read, naming its line, and nothing is looked up or dialed.
func TestPlainSMTPOnlyToThisMachine(t *testing.T) {
	dial := netguard.Dialer(func(address string, err error) { t.Errorf("loading the configuration dialed %s: %v", address, err) })
	saved := net.DefaultResolver
	net.DefaultResolver = &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, address string) (net.Conn, error) {
		t.Errorf("loading the configuration looked up a name via %s", address)
		return dial(ctx, network, address)
	}}
	t.Cleanup(func() { net.DefaultResolver = saved })
	for _, host := range []string{"smtp.example.com", "10.0.0.5", "mail.internal"} {
		_, err := parse(t, vendorsPart+"notify:\n  email:\n    host: "+host+"\n    tls: none\n    from: a@example.com\n    to: [b@example.com]\n", nil)
		if err == nil {
			t.Fatalf("tls: none to %s accepted", host)
		}
		want := "onboard.yaml:6: notify.email.tls: none would send the e-mail (and any password) to " + host + " unencrypted"
		if !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "write tls: starttls or tls: tls") {
			t.Errorf("error = %v", err)
		}
	}
	for _, host := range []string{"localhost", "127.0.0.1", "::1"} {
		if _, err := parse(t, vendorsPart+"notify:\n  email: {host: '"+host+"', tls: none, from: a@example.com, to: [b@example.com]}\n", nil); err != nil {
			t.Errorf("tls: none to %s refused: %v", host, err)
		}
	}
}

func TestNotifyErrors(t *testing.T) {
	email := func(extra string) string {
		return vendorsPart + "notify:\n  email:\n    host: smtp.example.com\n    from: a@example.com\n    to: [b@example.com]\n" + extra
	}
	cases := []struct{ name, yaml, want string }{
		{"not a mapping", vendorsPart + "notify: yes\n", "onboard.yaml:3: notify: must be a mapping with webhook: and/or email:"},
		{"unknown part", vendorsPart + "notify:\n  slack: {}\n", "onboard.yaml:4: notify.slack: unknown key"},
		{"webhook without url", vendorsPart + "notify:\n  webhook: {secret: x}\n", "onboard.yaml:4: notify.webhook.url: missing"},
		{"webhook bad url", vendorsPart + "notify:\n  webhook: {url: 'ftp://x/y'}\n", "notify.webhook.url: must be an http(s) URL"},
		{"webhook plain http", vendorsPart + "notify:\n  webhook: {url: 'http://hooks.example.com/x'}\n", "notify.webhook.url: http:// would send the people's names to hooks.example.com unencrypted"},
		{"unknown outcome", vendorsPart + "notify:\n  webhook: {url: 'https://h/x', on: [failure, sucess]}\n", `onboard.yaml:4: notify.webhook.on: unknown outcome "sucess"`},
		{"empty on", vendorsPart + "notify:\n  webhook: {url: 'https://h/x', on: []}\n", "notify.webhook.on: is empty, so nothing would ever be sent"},
		{"unknown email key", email("    tsl: none\n"), "onboard.yaml:8: notify.email.tsl: unknown key; did you mean tls?"},
		{"bad tls", email("    tls: ssl\n"), `onboard.yaml:8: notify.email.tls: must be starttls, tls or none, found "ssl"`},
		{"bad port", email("    port: 99999\n"), `notify.email.port: must be a port number from 1 to 65535, found "99999"`},
		{"host with port", vendorsPart + "notify:\n  email: {host: 'smtp.example.com:587', from: a@example.com, to: [b@example.com]}\n", "notify.email.host: must be a host name without a port"},
		{"missing host", vendorsPart + "notify:\n  email: {from: a@example.com, to: [b@example.com]}\n", "onboard.yaml:4: notify.email.host: missing"},
		{"missing from", vendorsPart + "notify:\n  email: {host: h.example.com, to: [b@example.com]}\n", "notify.email.from: missing"},
		{"missing to", vendorsPart + "notify:\n  email: {host: h.example.com, from: a@example.com}\n", "notify.email.to: missing: nobody would get the e-mail"},
		{"valid with on:", email("    on: [failure]\n"), ""},
		{"bad recipient", vendorsPart + "notify:\n  email: {host: h.example.com, from: a@example.com, to: {problems: [hr-at-example]}}\n", `notify.email.to.problems: is not an e-mail address: "hr-at-example"`},
		{"unknown recipient group", vendorsPart + "notify:\n  email: {host: h.example.com, from: a@example.com, to: {problem: [hr@example.com]}}\n", "notify.email.to.problem: unknown key; did you mean problems?"},
		{"username without password", email("    username: u\n"), "notify.email: has a username without a password"},
		{"password env missing", email("    username: u\n    password: ${NOPE}\n"), "onboard.yaml:9: notify.email.password: environment variable NOPE is not set"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parse(t, tc.yaml, nil)
			if tc.want == "" {
				if err != nil {
					t.Errorf("unexpected error: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %v\nwant it to contain %q", err, tc.want)
			}
		})
	}
}

func TestNotifySecretsNotInErrorsOrWarnings(t *testing.T) {
	env := map[string]string{"PW": "line1\nS3cretPw", "HOOK": "ftp://example.com/services/tokenQQQ"}
	_, err := parse(t, vendorsPart+"notify:\n  webhook: {url: '${HOOK}'}\n  email: {host: h.example.com, from: a@example.com, to: [b@example.com], username: u, password: '${PW}'}\n", env)
	if err == nil {
		t.Fatal("no error")
	}
	for _, s := range []string{"S3cretPw", "tokenQQQ"} {
		if strings.Contains(err.Error(), s) {
			t.Errorf("error shows %q: %v", s, err)
		}
	}
	cfg := mustParse(t, vendorsPart+"notify:\n  webhook: {url: 'https://h.example.com/x', secret: inlineSecret99}\n  email: {host: h.example.com, from: a@example.com, to: [b@example.com], username: u, password: inlinePw77}\n", nil)
	ws := strings.Join(cfg.Warnings(), "\n")
	for _, want := range []string{"onboard.yaml:4: notify.webhook.secret is written inline", "onboard.yaml:5: notify.email.password is written inline", `"${ONBOARD_SMTP_PASSWORD}"`} {
		if !strings.Contains(ws, want) {
			t.Errorf("warnings lack %q:\n%s", want, ws)
		}
	}
	if strings.Contains(ws+cfg.Notify().String(), "inlineSecret99") || strings.Contains(ws+cfg.Notify().String(), "inlinePw77") {
		t.Errorf("a secret is shown: %s", ws)
	}
}

// FuzzNotify: no notify: section, however broken, panics or is accepted
// with an error, and every error names the file.
func FuzzNotify(f *testing.F) {
	for _, s := range []string{
		"notify:\n  webhook: {url: 'https://h/x', secret: '${S}', on: [failure]}\n",
		"notify:\n  email: {host: 127.0.0.1, tls: none, port: 25, from: a@b.c, to: {problems: [x@y.z], summary: x@y.z}, on: success}\n",
		"notify:\n  email: {host: '::1', username: u, password: '${S}', from: a@b.c, to: [x@y.z, *a]}\n",
		"notify: &a {webhook: *a}\n", "notify: [1]\n", "notify:\n  email:\n    to: {failure: {x: 1}}\n",
	} {
		f.Add([]byte(vendorsPart + s))
	}
	env := envOf(map[string]string{"S": "s3cret-value"})
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := Loader{Vendors: testVendors, LookupEnv: env}.Parse(data, "fuzz.yaml")
		if err != nil {
			if !strings.Contains(err.Error(), "fuzz.yaml") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		if n := cfg.Notify(); n != nil {
			if strings.Contains(n.String(), "s3cret-value") {
				t.Fatalf("String shows the secret: %s", n)
			}
			if e := n.Email; e != nil {
				for _, o := range Outcomes {
					_ = e.Recipients(o)
				}
			}
		}
	})
}

package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const testHash = "$argon2id$v=19$m=65536,t=3,p=2$c2FsdHNhbHRzYWx0$a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2U"

func TestAddUserKeepsTheRestOfTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "onboard.yaml")
	orig := "# my vendors\nvendors:\n  acefone:\n    base_url: http://127.0.0.1:9/acefone # local\n    token: x\n"
	if err := os.WriteFile(path, []byte(orig), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := AddUser(path, "ana", "hr", testHash); err != nil {
		t.Fatal(err)
	}
	if err := AddUser(path, "bo", "it", testHash); err != nil {
		t.Fatal(err)
	}
	if err := AddUser(path, "ana", "admin", testHash); err != nil { // replaces
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	for _, want := range []string{"# my vendors", "# local", "token: x"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("the file lost %q:\n%s", want, data)
		}
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
	a, err := LoadAuth(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Users) != 2 || a.Users[0].Name != "ana" || a.Users[0].Role != "admin" || a.Users[1].Role != "it" || a.Users[0].Hash != testHash {
		t.Fatalf("users = %+v", a.Users)
	}
}

func TestAddUserCreatesTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "users.yaml")
	if err := AddUser(path, "it1", "it", testHash); err != nil {
		t.Fatal(err)
	}
	a, err := LoadAuth(path)
	if err != nil || len(a.Users) != 1 || a.Users[0].Role != "it" {
		t.Fatalf("users = %+v, %v", a.Users, err)
	}
	if err := AddUser(path, "Bad Name", "it", testHash); err == nil {
		t.Error("a name with a space was accepted")
	}
	if err := AddUser(path, "x", "boss", testHash); err == nil {
		t.Error("an unknown role was accepted")
	}
}

func TestUsersSectionErrors(t *testing.T) {
	cases := map[string]string{
		"users:\n  ana:\n    role: hr\n    password: hunter2\n":                   "never written",
		"users:\n  ana:\n    role: boss\n    password_hash: '" + testHash + "'\n": "unknown role",
		"users:\n  ana:\n    role: hr\n    password_hash: plain\n":                "not an argon2id",
		"users:\n  ana:\n    role: hr\n":                                          "password_hash: missing",
		"sso:\n  roles:\n    a@b.c: root\n":                                       "unknown role",
	}
	for doc, want := range cases {
		_, err := Parse([]byte("vendors:\n  acefone:\n    base_url: http://127.0.0.1:9\n    token: x\n"+doc), "t.yaml", func(string) (string, bool) { return "", false })
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want %q", doc, err, want)
		}
		if err != nil && strings.Contains(err.Error(), "hunter2") {
			t.Errorf("the error repeats the password: %v", err)
		}
	}
}

func TestUsersAndSSOParsed(t *testing.T) {
	doc := "vendors:\n  acefone:\n    base_url: http://127.0.0.1:9\n    token: x\nusers:\n  ana:\n    role: hr\n    password_hash: '" + testHash +
		"'\nsso:\n  roles:\n    Bo@Example.com: it\n  default_role: hr\n"
	cfg, err := Parse([]byte(doc), "t.yaml", func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	if u := cfg.Users(); len(u) != 1 || u[0].Name != "ana" {
		t.Errorf("users = %+v", u)
	}
	if s := cfg.SSO(); s.Roles["bo@example.com"] != "it" || s.DefaultRole != "hr" {
		t.Errorf("sso = %+v", s)
	}
}

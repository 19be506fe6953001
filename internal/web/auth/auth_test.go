package auth

import (
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
)

func TestHashAndVerify(t *testing.T) {
	h, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") || strings.Contains(h, "correct") {
		t.Fatalf("hash %q", h)
	}
	if err := CheckHash(h); err != nil {
		t.Fatal(err)
	}
	if err := Verify(h, "correct horse battery"); err != nil {
		t.Errorf("right password refused: %v", err)
	}
	if err := Verify(h, "correct horse batterY"); err != ErrMismatch {
		t.Errorf("wrong password: %v", err)
	}
	h2, _ := HashPassword("correct horse battery")
	if h2 == h {
		t.Error("two hashes of one password are equal: no salt")
	}
}

func TestBcryptAndBadHashes(t *testing.T) {
	raw, err := bcrypt.GenerateFromPassword([]byte("password"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	bc := string(raw)
	if err := Verify(bc, "password"); err != nil {
		t.Errorf("bcrypt: %v", err)
	}
	if err := Verify(bc, "nope"); err != ErrMismatch {
		t.Errorf("bcrypt wrong password: %v", err)
	}
	for _, bad := range []string{"", "plain", "$argon2id$v=19$m=1,t=1,p=1$AAAA$AAAA", "$argon2id$v=18$m=19456,t=2,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5", "$argon2id$garbage"} {
		if err := Verify(bad, "x"); err == nil || err == ErrMismatch {
			t.Errorf("hash %q: %v", bad, err)
		}
	}
}

func TestRoles(t *testing.T) {
	for _, c := range []struct {
		r                      Role
		run, creds, all, audit bool
	}{{HR, false, false, false, false}, {IT, true, true, true, false}, {Admin, true, true, true, true}} {
		if c.r.CanRun() != c.run || c.r.CanSeeCredentials() != c.creds || c.r.CanSeeAll() != c.all || c.r.CanAudit() != c.audit {
			t.Errorf("role %s has the wrong rights", c.r)
		}
	}
	if r, err := ParseRole(" IT "); err != nil || r != IT {
		t.Errorf("ParseRole: %v %v", r, err)
	}
	if _, err := ParseRole("root"); err == nil || !strings.Contains(err.Error(), "hr, it or admin") {
		t.Errorf("ParseRole(root): %v", err)
	}
}

func TestLimiter(t *testing.T) {
	now := time.Unix(0, 0)
	l := NewLimiter(3, time.Minute)
	l.Now = func() time.Time { return now }
	for range 3 {
		if ok, _ := l.Allowed("u", "a"); !ok {
			t.Fatal("refused too early")
		}
		l.Fail("u", "a")
	}
	ok, wait := l.Allowed("u")
	if ok || wait != time.Minute {
		t.Fatalf("after 3 failures: %v %v", ok, wait)
	}
	if ok, _ := l.Allowed("other"); !ok {
		t.Error("another key is refused")
	}
	l.Reset("u")
	if ok, _ := l.Allowed("u"); !ok {
		t.Error("reset did not forget")
	}
	if ok, _ := l.Allowed("a"); ok {
		t.Error("the address is forgotten with the user")
	}
	now = now.Add(time.Minute)
	if ok, _ := l.Allowed("a"); !ok {
		t.Error("the window did not pass")
	}
}

func TestRandomPassword(t *testing.T) {
	seen := map[string]bool{}
	for range 50 {
		p := RandomPassword(16)
		if len(p) != 16 || strings.ContainsAny(p, "0O1lI") || seen[p] {
			t.Fatalf("password %q", p)
		}
		seen[p] = true
	}
}

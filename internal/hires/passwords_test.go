package hires

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

func TestGeneratePassword(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 200; i++ {
		pw, err := GeneratePassword(nil2crypto(), 16)
		if err != nil {
			t.Fatal(err)
		}
		if len(pw) != 16 || seen[pw] {
			t.Fatalf("password %d: %q (len %d, repeated %v)", i, pw, len(pw), seen[pw])
		}
		seen[pw] = true
		for _, set := range []string{passwordUpper, passwordLower, passwordDigits, passwordSymbols} {
			if !strings.ContainsAny(pw, set) {
				t.Fatalf("%q has nothing from %q", pw, set)
			}
		}
		if !strings.ContainsRune(passwordUpper+passwordLower, rune(pw[0])) {
			t.Fatalf("%q does not start with a letter", pw)
		}
	}
	if _, err := GeneratePassword(nil2crypto(), 15); err == nil {
		t.Error("a 15-character password was generated")
	}
	if _, err := GeneratePassword(bytes.NewReader(nil), 20); err == nil || !strings.Contains(err.Error(), "reading random bytes") {
		t.Errorf("empty random source: %v", err)
	}
}

// expandTestBatch expands two people of the test plan, with generated
// passwords for Acefone and Fone Dynamics.
func expandTestBatch(t *testing.T) *Batch {
	t.Helper()
	p := mustPlan(t, testPlan)
	people, _ := readPeople(t, p,
		row(map[string]string{"Role": "Sales Agent"}),
		row(map[string]string{"First name": "=Mo", "Work email": "mo@acme.example", "Extension": "102", "Role": "Manager", "Systems": "+acefone"}),
	)
	return p.ExpandAll(people, Options{Defaults: map[string]map[string]string{"fonedynamics": {"PropertySid": "S1"}, "cove": {"PartnerId": "1"}}})
}

func generatedPasswords(b *Batch) []string {
	var out []string
	for _, d := range b.Records {
		for _, v := range d.Values {
			if v.Source.Kind == SourceGenerated {
				out = append(out, v.Text)
			}
		}
	}
	return out
}

func TestGeneratedPasswordsOnlyInCredentialsFile(t *testing.T) {
	b := expandTestBatch(t)
	pws := generatedPasswords(b)
	if len(pws) != 3 { // Acefone for both, Fone Dynamics for the manager
		t.Fatalf("%d generated passwords, want 3", len(pws))
	}
	// Every way the expansion is shown masks them.
	var shown []string
	j, err := json.Marshal(b.Records)
	if err != nil {
		t.Fatal(err)
	}
	shown = append(shown, string(j))
	pj, _ := json.Marshal(b.Problems)
	shown = append(shown, string(pj))
	for _, d := range b.Records {
		shown = append(shown, d.String(), fmt.Sprint(d), fmt.Sprintf("%+v", d), fmt.Sprintf("%#v", d), fmt.Sprint(d.Values),
			fmt.Sprintf("%#v", d.Values), fmt.Sprint(d.Redacted()), fmt.Sprint(d.Record.Redacted()))
	}
	all := strings.Join(shown, "\n")
	for _, pw := range pws {
		if strings.Contains(all, pw) {
			t.Fatalf("generated password %q shown in the expansion's output", pw)
		}
	}
	if !strings.Contains(all, `"password","source":{"kind":"generated"`) || !strings.Contains(all, "password=********") {
		t.Errorf("masked passwords not shown as masked:\n%s", all[:400])
	}

}

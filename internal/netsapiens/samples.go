package netsapiens

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/onboard/onboard/internal/schema"
	"github.com/onboard/onboard/internal/schema/sample"
)

// Sample rows for samples/vendor-sheets.xlsx (internal/templates/samplegen):
// realistic rows with a few deliberate mistakes (sample.Wrong) and values
// that look wrong but are valid (sample.Fine).

// SampleDomain is the domain the samples create sites and users in.
const SampleDomain = "acme.example"

// SampleSheets are the NetSapiens tabs of the sample workbook: sites, then
// users.
func SampleSheets() []sample.Sheet {
	return []sample.Sheet{sampleSites(), sampleUsers()}
}

// DialByName returns the dial-by-name digits of a surname: the telephone
// keypad digits of its first three letters (Smith → 764).
func DialByName(surname string) int64 {
	keys := map[rune]int64{}
	for d, letters := range []string{"abc", "def", "ghi", "jkl", "mno", "pqrs", "tuv", "wxyz"} {
		for _, r := range letters {
			keys[r] = int64(d + 2)
		}
	}
	var n, count int64
	for _, r := range norm.NFD.String(strings.ToLower(surname)) {
		if d, ok := keys[r]; ok && count < 3 {
			n = n*10 + d
			count++
		} else if unicode.IsLetter(r) && r > unicode.MaxASCII && !unicode.Is(unicode.Mn, r) {
			return 0 // not a Latin name: no keypad digits
		}
	}
	if count < 3 {
		return 0
	}
	return n
}

// orNil turns a zero keypad result into an empty cell.
func orNil(n int64) any {
	if n == 0 {
		return nil
	}
	return n
}

func sampleSites() sample.Sheet {
	t := Site
	row := func(site, tz string, callerID int64, callerName string, area int64, calls int64, rec string) []any {
		var cid, ac any
		if callerID != 0 {
			cid = callerID
		}
		if area != 0 {
			ac = area
		}
		var name any
		if callerName != "" {
			name = callerName
		}
		return []any{SampleDomain, site, tz, cid, name, ac, calls, rec, "yes"}
	}
	return sample.Sheet{
		Name:   t.Label,
		Target: t,
		Columns: sample.Labels(t, true, "domain", "site", "time-zone", "caller-id-number", "caller-id-name", "area-code",
			"limits-max-active-calls-total", "recording-configuration", "synchronous"),
		Rows: [][]any{
			row("Denver HQ", "America/Denver", 13035550100, "Acme Denver", 303, 40, "yes"),
			row("New York Sales", "America/New_York", 12125550100, "Acme Sales NY", 212, 30, "yes"),
			row("Austin Warehouse", "US/Central", 15125550100, "Acme Austin", 512, 10, "no"),
			row("Toronto Office", "America/Toronto", 14165550100, "Acme Toronto", 416, 15, "no"),
			row("London Office", "Europe/London", 442079460000, "Acme London", 0, 20, "yes-with-transcription"),
			row("Sydney Office", "Australia/Sydney", 61290001234, "Acme Sydney", 0, 20, "no"),
			row("Mumbai Support", "Asia/Calcutta", 912240001234, "Acme Mumbai", 0, 25, "yes-with-transcription-and-sentiment"),
			row("Remote", "US/Eastern", 0, "", 0, 10, "no"),
		},
	}
}

func sampleUsers() sample.Sheet {
	t := User
	type person struct {
		ext         any
		first, last any
		email       any
		scope       any
		dept, site  string
		tz          any
		pin         any
		dtmf        any // nil: computed from the surname
		ring        any
		login       string
	}
	people := []person{
		{ext: "101", first: "Jane", last: "Smith", email: sample.Fine("jane.smith@acme.example;it-admin@acme.example", "two addresses separated by ';' are allowed"),
			scope: "Office Manager", dept: "Administration", site: "Denver HQ", tz: "America/Denver", pin: "4812", ring: int64(25), login: "jane.smith@acme.example"},
		{ext: "102", first: "José", last: "García", email: "jose.garcia@acme.example", scope: "Basic User", dept: "Sales", site: "Denver HQ",
			tz: "America/Denver", pin: sample.Fine("0417", "a PIN with a leading zero, typed as text, keeps it"), ring: int64(20), login: "jose.garcia@acme.example"},
		{ext: "103", first: "Zoë", last: "Müller", email: "zoe.muller@acme.example", scope: "Basic User", dept: "Support", site: "London Office",
			tz: "Europe/London", pin: "9021", ring: int64(30)},
		{ext: "104", first: "Siobhan", last: "O'Brien", email: "siobhan.obrien@acme.example", scope: "Call Center Agent", dept: "Support", site: "London Office",
			tz: "Europe/London", pin: "5532", ring: int64(15)},
		{ext: "105", first: "芳", last: "王", email: "wang.fang@acme.example", scope: "Advanced User", dept: "Engineering", site: "Sydney Office",
			tz: "Australia/Sydney", pin: "7781", ring: int64(25)},
		{ext: "106", first: "Marcus", last: "Johnson", email: "marcus.johnson@acme.example",
			scope: sample.Fine("office manager", "user scope in lower case is read as 'Office Manager'"), dept: "Sales", site: "New York Sales",
			tz: "America/New_York", pin: "3344", ring: int64(25)},
		{ext: "107", first: "Aisha", last: "Bello", email: "aisha.bello@acme.example", scope: "Site Manager", dept: "Operations", site: "Austin Warehouse",
			tz: "US/Central", pin: "6120", ring: int64(20)},
		{ext: "108", first: "Liam", last: "Nguyen", email: sample.Wrong("liam.nguyen@acme", schema.RuleEmail, "the address has no domain ending such as .example", ""),
			scope: "Basic User", dept: "Sales", site: "Toronto Office", tz: "America/Toronto", pin: "1357", ring: int64(20)},
		{ext: "109", first: "Priya", last: "Raman", email: "priya.raman@acme.example", scope: "Call Center Supervisor", dept: "Support", site: "Mumbai Support",
			tz: "Asia/Calcutta", pin: "2299", ring: sample.Wrong(int64(4000), schema.RuleRange, "ring timeout is at most 3600 seconds", "")},
		{ext: "110", first: "Tomás", last: "Silva", email: "tomas.silva@acme.example", scope: "Basic User", dept: "Engineering", site: "Remote",
			tz: sample.Wrong("America/New_Yrok", schema.RuleEnum, "time-zone typo", "America/New_York"), pin: "1188", ring: int64(25)},
		{ext: "111", first: "Hannah", last: "Lee", email: "hannah.lee@acme.example",
			scope: sample.Wrong("Ofice Manager", schema.RuleEnum, "user-scope typo", "Office Manager"), dept: "Administration", site: "Sydney Office",
			tz: "Australia/Sydney", pin: "4521", ring: int64(20)},
		{ext: "112", first: "Noah", last: "Fischer", email: "noah.fischer@acme.example", scope: "Basic User", dept: "Engineering", site: "Denver HQ",
			tz: "America/Denver", pin: "8080", dtmf: sample.Wrong(int64(1000), schema.RuleRange, "dial-by-name digits are three digits, 100 to 999", ""), ring: int64(20)},
		{ext: sample.Wrong("104", schema.RuleUnique, "extension 104 is already Siobhan O'Brien's (row 5) in domain "+SampleDomain, ""),
			first: "Olivia", last: "Brown", email: "olivia.brown@acme.example", scope: "Basic User", dept: "Sales", site: "New York Sales",
			tz: "America/New_York", pin: "2468", ring: int64(25)},
		{ext: sample.Fine("0100", "an extension with a leading zero, typed as text, keeps it"), first: "Reception", last: "Desk",
			email: "reception@acme.example", scope: "No Portal", dept: "Front Desk", site: "Denver HQ", tz: "America/Denver", ring: int64(30),
			login: "reception@acme.example"},
	}
	s := sample.Sheet{
		Name:   t.Label,
		Target: t,
		Columns: sample.Labels(t, true, "domain", "user", "name-first-name", "name-last-name", "email-address", "user-scope", "department",
			"site", "time-zone", "voicemail-login-pin", "directory-name-number-dtmf-mapping", "ring-no-answer-timeout-seconds", "login-username"),
	}
	for _, p := range people {
		dtmf := p.dtmf
		if dtmf == nil {
			if last, ok := p.last.(string); ok {
				dtmf = orNil(DialByName(last))
			}
		}
		var login any
		if p.login != "" {
			login = p.login
		}
		s.Rows = append(s.Rows, []any{SampleDomain, p.ext, p.first, p.last, p.email, p.scope, p.dept, p.site, p.tz, p.pin, dtmf, p.ring, login})
	}
	return s
}

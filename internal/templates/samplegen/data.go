package samplegen

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/onboard/onboard/internal/acefone"
	"github.com/onboard/onboard/internal/cove"
	"github.com/onboard/onboard/internal/fonedynamics"
	"github.com/onboard/onboard/internal/netsapiens"
	"github.com/onboard/onboard/internal/schema"
)

// Domain is the NetSapiens domain the samples create sites and users in.
const Domain = "acme.example"

// The Fone Dynamics properties and the Cove customers the samples use.
// They are ones the sandbox knows (its own property, the property in the
// vendor's documentation, its partner and a child customer), so
// `onboard run samples/... --sandbox` creates every valid row.
const (
	SydneyProperty    = "SSANDBOX0123456789ABCDEF01234567"
	MelbourneProperty = "S1234567890ABCDEF1234567890ABCDE"
	CovePartnerID     = 123456
	CoveEMEAPartnerID = "123457"
)

// bad marks a deliberate mistake: the value as typed, the rule it breaks
// (a schema.Rule* code), why, and the value onboard should suggest.
type bad struct {
	value      any
	rule       string
	why        string
	suggestion string
}

// tricky marks a value that looks wrong but is valid, and says why.
type tricky struct {
	value any
	why   string
}

// column is one column of a sample sheet: the header as typed and the
// field it names.
type column struct {
	header string
	key    string
}

// sheet is one sample sheet.
type sheet struct {
	name    string // as typed on the tab: a label or a target ID
	target  *schema.Target
	columns []column
	rows    [][]any // cells: string, int64, bool, nil (empty), bad or tricky
}

// labels returns columns headed by the fields' labels, with " *" on
// required ones when star is set (as in a copy of the template).
func labels(t *schema.Target, star bool, keys ...string) []column {
	cols := make([]column, len(keys))
	for i, k := range keys {
		f := t.Field(k)
		h := f.Label
		if star && f.Required {
			h += " *"
		}
		cols[i] = column{header: h, key: k}
	}
	return cols
}

// keypad returns the dial-by-name digits of a surname: the telephone
// keypad digits of its first three letters (Smith → 764).
func keypad(surname string) int64 {
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

func nsSites() sheet {
	t := netsapiens.Site
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
		return []any{Domain, site, tz, cid, name, ac, calls, rec, "yes"}
	}
	return sheet{
		name:   t.Label,
		target: t,
		columns: labels(t, true, "domain", "site", "time-zone", "caller-id-number", "caller-id-name", "area-code",
			"limits-max-active-calls-total", "recording-configuration", "synchronous"),
		rows: [][]any{
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

func nsUsers() sheet {
	t := netsapiens.User
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
		{ext: "101", first: "Jane", last: "Smith", email: tricky{"jane.smith@acme.example;it-admin@acme.example", "two addresses separated by ';' are allowed"},
			scope: "Office Manager", dept: "Administration", site: "Denver HQ", tz: "America/Denver", pin: "4812", ring: int64(25), login: "jane.smith@acme.example"},
		{ext: "102", first: "José", last: "García", email: "jose.garcia@acme.example", scope: "Basic User", dept: "Sales", site: "Denver HQ",
			tz: "America/Denver", pin: tricky{"0417", "a PIN with a leading zero, typed as text, keeps it"}, ring: int64(20), login: "jose.garcia@acme.example"},
		{ext: "103", first: "Zoë", last: "Müller", email: "zoe.muller@acme.example", scope: "Basic User", dept: "Support", site: "London Office",
			tz: "Europe/London", pin: "9021", ring: int64(30)},
		{ext: "104", first: "Siobhan", last: "O'Brien", email: "siobhan.obrien@acme.example", scope: "Call Center Agent", dept: "Support", site: "London Office",
			tz: "Europe/London", pin: "5532", ring: int64(15)},
		{ext: "105", first: "芳", last: "王", email: "wang.fang@acme.example", scope: "Advanced User", dept: "Engineering", site: "Sydney Office",
			tz: "Australia/Sydney", pin: "7781", ring: int64(25)},
		{ext: "106", first: "Marcus", last: "Johnson", email: "marcus.johnson@acme.example",
			scope: tricky{"office manager", "user scope in lower case is read as 'Office Manager'"}, dept: "Sales", site: "New York Sales",
			tz: "America/New_York", pin: "3344", ring: int64(25)},
		{ext: "107", first: "Aisha", last: "Bello", email: "aisha.bello@acme.example", scope: "Site Manager", dept: "Operations", site: "Austin Warehouse",
			tz: "US/Central", pin: "6120", ring: int64(20)},
		{ext: "108", first: "Liam", last: "Nguyen", email: bad{"liam.nguyen@acme", schema.RuleEmail, "the address has no domain ending such as .example", ""},
			scope: "Basic User", dept: "Sales", site: "Toronto Office", tz: "America/Toronto", pin: "1357", ring: int64(20)},
		{ext: "109", first: "Priya", last: "Raman", email: "priya.raman@acme.example", scope: "Call Center Supervisor", dept: "Support", site: "Mumbai Support",
			tz: "Asia/Calcutta", pin: "2299", ring: bad{int64(4000), schema.RuleRange, "ring timeout is at most 3600 seconds", ""}},
		{ext: "110", first: "Tomás", last: "Silva", email: "tomas.silva@acme.example", scope: "Basic User", dept: "Engineering", site: "Remote",
			tz: bad{"America/New_Yrok", schema.RuleEnum, "time-zone typo", "America/New_York"}, pin: "1188", ring: int64(25)},
		{ext: "111", first: "Hannah", last: "Lee", email: "hannah.lee@acme.example",
			scope: bad{"Ofice Manager", schema.RuleEnum, "user-scope typo", "Office Manager"}, dept: "Administration", site: "Sydney Office",
			tz: "Australia/Sydney", pin: "4521", ring: int64(20)},
		{ext: "112", first: "Noah", last: "Fischer", email: "noah.fischer@acme.example", scope: "Basic User", dept: "Engineering", site: "Denver HQ",
			tz: "America/Denver", pin: "8080", dtmf: bad{int64(1000), schema.RuleRange, "dial-by-name digits are three digits, 100 to 999", ""}, ring: int64(20)},
		{ext: bad{"104", schema.RuleUnique, "extension 104 is already Siobhan O'Brien's (row 5) in domain " + Domain, ""},
			first: "Olivia", last: "Brown", email: "olivia.brown@acme.example", scope: "Basic User", dept: "Sales", site: "New York Sales",
			tz: "America/New_York", pin: "2468", ring: int64(25)},
		{ext: tricky{"0100", "an extension with a leading zero, typed as text, keeps it"}, first: "Reception", last: "Desk",
			email: "reception@acme.example", scope: "No Portal", dept: "Front Desk", site: "Denver HQ", tz: "America/Denver", ring: int64(30),
			login: "reception@acme.example"},
	}
	s := sheet{
		name:   t.Label,
		target: t,
		columns: labels(t, true, "domain", "user", "name-first-name", "name-last-name", "email-address", "user-scope", "department",
			"site", "time-zone", "voicemail-login-pin", "directory-name-number-dtmf-mapping", "ring-no-answer-timeout-seconds", "login-username"),
	}
	for _, p := range people {
		dtmf := p.dtmf
		if dtmf == nil {
			if last, ok := p.last.(string); ok {
				dtmf = orNil(keypad(last))
			}
		}
		var login any
		if p.login != "" {
			login = p.login
		}
		s.rows = append(s.rows, []any{Domain, p.ext, p.first, p.last, p.email, p.scope, p.dept, p.site, p.tz, p.pin, dtmf, p.ring, login})
	}
	return s
}

func acefoneUsers() sheet {
	t := acefone.User
	return sheet{
		name:   t.ID, // named by target ID rather than label
		target: t,
		columns: labels(t, false, "name", "number", "create_agent", "email", "login_id", "user_role", "password", "status",
			"caller_id", "department", "time_group"),
		rows: [][]any{
			{"Priya Sharma", "+91 98765 43210", true, "priya.sharma@acme.example", "priya.sharma", int64(3), "Welcome#2024a", true, int64(101), "Sales Department", "Day Shift"},
			{"Rahul Verma", tricky{int64(919876543211), "a mobile number typed as a number (Excel shows 9.19877E+11); the exact digits are kept"},
				true, "rahul.verma@acme.example", "rahul.verma", int64(3), "Monsoon!Tea42", true, "101, 102", "Sales Department, Finance Department", "Evening Shift"},
			{"Ananya Iyer", tricky{"09876543212", "a mobile number with a leading 0, typed as text, keeps it"}, false,
				"ananya.iyer@acme.example", "ananya.iyer", int64(2), "Lotus-Pond-88", true, int64(103), "Finance Department", "Day Shift"},
			{"Vikram Singh", "+91-98765-43213", true, "vikram.singh@acme.example", "vikram.singh",
				int64(3), bad{nil, schema.RuleRequired, "Acefone requires a password for every user", ""}, true, int64(104), "Support", "Night Shift"},
			{"Meera Nair", "+91 98450 12345", true, "meera.nair@acme.example", "meera.nair", int64(3), "Backwater#Kochi7", true, int64(105), "Support", "Day Shift"},
			{"Arjun Mehta", "+91 99200 54321", false, "arjun.mehta@acme.example", "arjun.mehta", int64(5), "Gateway*Arch19", true, int64(106), "Finance Department", "Day Shift"},
			{"王芳", "+86 138 0013 8000", true, "wang.fang@acme.example", "wang.fang", int64(3), "Jade&Lantern55", true, int64(107), "Support", "Evening Shift"},
			{"Kavya Reddy", "+91 90000 11223", true, "kavya.reddy@acme.example", "kavya.reddy", int64(3), "Charminar_2024", tricky{"no", "Enabled typed as no is read as FALSE"}, int64(108), "Sales Department", "Day Shift"},
			{"Rohan Das", "+91 98300 44556", true, "rohan.das@acme.example", "rohan.das", int64(3), "Howrah^Bridge31", true, "109,110", "Sales Department", "Evening Shift"},
			{"Sneha Kulkarni", "+91 97300 67890", false, "sneha.kulkarni@acme.example", "sneha.kulkarni", int64(4), "Deccan+Plateau6", true, int64(111), "Operations", "Day Shift"},
		},
	}
}

func foneDynamicsLogins() sheet {
	t := fonedynamics.Login
	return sheet{
		name:    t.Label,
		target:  t,
		columns: labels(t, false, "PropertySid", "Email", "Password", "FirstName", "LastName", "Scopes", "Enabled"),
		rows: [][]any{
			{SydneyProperty, "olivia.taylor@acme.example", "Harbour-Bridge-21", "Olivia", "Taylor", "Reporting,Integrations", true},
			{SydneyProperty, "jack.wilson@acme.example", "Bondi!Surf2024", "Jack", "Wilson", "Manage,Reporting", true},
			{SydneyProperty, "zoe.adams@acme.example", "Opera#House88", "Zoë", "Adams", "Reporting", true},
			{SydneyProperty, "wang.fang@acme.example", "Jade&Lantern55", "芳", "王", "Reporting,ReportingSms", true},
			{SydneyProperty, "chloe.oconnor@acme.example", "Blue*Mountains7", "Chloe", "O'Connor",
				bad{"Manage,Reportng", schema.RuleEnum, "scope typo", "Reporting"}, true},
			{MelbourneProperty, "lachlan.murphy@acme.example", "Yarra_River_42", "Lachlan", "Murphy", "Admin", true},
			{MelbourneProperty, "mia.nguyen@acme.example", "Flinders^St99", "Mia", "Nguyen",
				tricky{"reporting, managesms", "scopes in lower case with a space after the comma are read as Reporting,ManageSms"}, false},
			{MelbourneProperty, "ethan.papadopoulos@acme.example", "Laneway+Coffee3", "Ethan", "Papadopoulos", "Billing,UserManagement", nil},
			{MelbourneProperty, "siobhan.obrien@acme.example", "Cliffs-of-Moher8", "Siobhan", "O'Brien", "Reporting,OutboundCallReporting", true},
		},
	}
}

func coveUsers() sheet {
	t := cove.User
	p := int64(CovePartnerID)
	return sheet{
		name:   t.ID,
		target: t,
		columns: labels(t, false, "PartnerId", "Name", "EmailAddress", "Password", "RoleId", "FirstName", "FullName", "Title",
			"PhoneNumber"),
		rows: [][]any{
			{p, "jane.smith@acme.example", "jane.smith@acme.example", "Rocky-Mtn-2024", int64(2), "Jane", "Smith", "Office Manager", "+1 303 555 0101"},
			{p, "jose.garcia@acme.example", "jose.garcia@acme.example", "Sierra#Nevada5", int64(4), "José", "García", "Account Executive", "+1 303 555 0102"},
			{p, "zoe.muller@acme.example", "zoe.muller@acme.example", "Thames!Path33", int64(5), "Zoë", "Müller", "Support Engineer", "+44 20 7946 0958"},
			{p, bad{"s.obrien@acme.example", schema.RuleSameAs, "the login name must be the same as the email address", ""},
				"siobhan.obrien@acme.example", "Cliffs-of-Moher8", int64(4), "Siobhan", "O'Brien", "Support Lead", "+44 20 7946 0959"},
			{p, "wang.fang@acme.example", "wang.fang@acme.example", "Jade&Lantern55", int64(3), "芳", "王", "Backup Administrator", "+61 2 9000 1234"},
			{p, "noah.fischer@acme.example", "noah.fischer@acme.example", tricky{nil, "no password: the user sets one at first login"},
				int64(4), "Noah", "Fischer", "Site Reliability Engineer", "+1 303 555 0112"},
			{p, "aisha.bello@acme.example", "aisha.bello@acme.example", "Lone*Star*77", int64(4), "Aisha", "Bello", "Operations Manager", "+1 512 555 0107"},
			{p, "marcus.johnson@acme.example", "marcus.johnson@acme.example", "Empire^State9", int64(5), "Marcus", "Johnson", "Sales Manager", "+1 212 555 0106"},
			{p, "hannah.lee@acme.example", "hannah.lee@acme.example", "Coral+Reef2024", int64(3), "Hannah", "Lee", "Office Administrator", "+61 2 9000 1235"},
		},
	}
}

// sheets are the target sheets of the sample workbook, in tab order.
func sheets() []sheet {
	return []sheet{nsSites(), nsUsers(), acefoneUsers(), foneDynamicsLogins(), coveUsers()}
}

// csvAcefone is samples/acefone.user.csv: a clean UTF-8 CSV as Excel's
// "CSV UTF-8" saves it (byte-order mark, CRLF line ends).
func csvAcefone() [][]string {
	return [][]string{
		{"Name", "Mobile Number", "Create Agent", "Email", "Login ID", "Role ID", "Password", "Enabled", "Caller IDs", "Departments", "Agent Groups"},
		{"Deepa Krishnan", "+91 80 4567 1201", "TRUE", "deepa.krishnan@acme.example", "deepa.krishnan", "3", "Cubbon-Park-11", "TRUE", "201", "Sales Department", "sales group"},
		{"Farhan Qureshi", "919845001202", "TRUE", "farhan.qureshi@acme.example", "farhan.qureshi", "3", "Lalbagh#Rose2", "TRUE", "201, 202", "Sales Department, Finance Department", "sales group"},
		{"Lakshmi Venkatesh", "09845001203", "FALSE", "lakshmi.venkatesh@acme.example", "lakshmi.venkatesh", "2", "Nandi!Hills34", "TRUE", "203", "Finance Department", ""},
		{"Siddharth Rao", "+91-98450-01204", "TRUE", "siddharth.rao@acme.example", "siddharth.rao", "3", "Mysore\"Palace\"5", "TRUE", "204", "Support", "support group, escalations"},
		{"Zoë D'Souza", "+91 98450 01205", "TRUE", "zoe.dsouza@acme.example", "zoe.dsouza", "3", "Goa;Beach;66", "yes", "205", "Support", "support group"},
		{"José Fernandes", "+91 98450 01206", "TRUE", "jose.fernandes@acme.example", "jose.fernandes", "4", "Konkan,Coast,7", "TRUE", "206", "Operations", ""},
	}
}

// csvCoveEMEA is samples/cove.user-emea.csv: semicolon-separated and
// encoded in Windows-1252, as Excel saves "CSV" on a European Windows
// machine. Headers are the vendor's wire keys.
func csvCoveEMEA() [][]string {
	p := CoveEMEAPartnerID
	return [][]string{
		{"PartnerId", "Name", "EmailAddress", "Password", "RoleId", "FirstName", "FullName", "Title", "PhoneNumber"},
		{p, "francois.dubois@acme.example", "francois.dubois@acme.example", "Tour-Eiffel-1889", "4", "François", "Dubois", "Responsable informatique", "+33 1 42 68 53 00"},
		{p, "zoe.janssen@acme.example", "zoe.janssen@acme.example", "Gracht;Fiets;21", "5", "Zoë", "Janssen", "Servicedesk-medewerker", "+31 20 555 0147"},
		{p, "juergen.weiss@acme.example", "juergen.weiss@acme.example", "Brandenburger#Tor3", "3", "Jürgen", "Weiß", "IT-Leiter", "+49 30 5550 1234"},
		{p, "soren.nielsen@acme.example", "soren.nielsen@acme.example", "", "4", "Søren", "Nielsen", "Systemadministrator", "+45 33 55 01 23"},
		{p, "ines.fernandez@acme.example", "ines.fernandez@acme.example", "Sagrada=Familia9", "4", "Inés", "Fernández", "Técnica de soporte", "+34 91 555 0123"},
		{p, "bjorn.akesson@acme.example", "bjorn.akesson@acme.example", "Gamla:Stan:55", "5", "Björn", "Åkesson", "Driftansvarig", "+46 8 555 012 34"},
	}
}

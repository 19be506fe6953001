package hires

import (
	"strings"

	"github.com/onboard/onboard/internal/netsapiens"
	"github.com/onboard/onboard/internal/schema"
)

// Keys of the HR columns, as templates name them ({{.FirstName}}) and as
// Person.Text takes them.
const (
	FirstName  = "FirstName"
	LastName   = "LastName"
	WorkEmail  = "WorkEmail"
	Mobile     = "Mobile"
	Extension  = "Extension"
	Department = "Department"
	Office     = "Office"
	JobTitle   = "JobTitle"
	StartDate  = "StartDate"
	TimeZone   = "TimeZone"
	Role       = "Role"
	Systems    = "Systems"
	Password   = "Password"
)

// SheetID is the pseudo-target ID of the HR sheet.
const SheetID = "hires"

// SheetName is the name of the HR sheet in templates; other names are
// accepted (SheetAliases).
const SheetName = "New Hires"

// SheetAliases are other names accepted for the HR sheet.
var SheetAliases = []string{"New Hire", "Hires", "New Starters", "Starters", "Onboarding", "New Employees"}

// Columns describes the HR sheet: one row per person, in plain words. Role's
// allowed values come from the plan; a plan may add aliases, make a column
// required, list allowed values (Office) or add columns of its own. Use
// Plan.Sheet for the plan's version; this one is the base.
var Columns = []*schema.Field{
	{Key: FirstName, Label: "First name", Aliases: []string{"first", "given name", "given names", "forename", "first names"},
		Kind: schema.String, Required: true, MaxLen: 100, Help: "The person's first (given) name as it should appear in systems", Example: "Jane"},
	{Key: LastName, Label: "Last name", Aliases: []string{"last", "surname", "family name", "last names"},
		Kind: schema.String, Required: true, MaxLen: 100, Help: "The person's last (family) name", Example: "Smith"},
	{Key: WorkEmail, Label: "Work email", Aliases: []string{"email", "e-mail", "work e-mail", "email address", "e-mail address",
		"work email address", "company email", "business email", "office email"},
		Kind: schema.Email, Required: true, Help: "The person's work email address; most logins are made from it", Example: "jane.smith@acme.example"},
	{Key: Mobile, Label: "Mobile", Aliases: []string{"mobile number", "mobile phone", "mobile no", "cell", "cell phone", "cell number", "mobile/cell"},
		Kind: schema.Phone, Help: "Mobile number with country code, such as +61 412 345 678 (needed for Acefone)", Example: "+1 303 555 0142"},
	{Key: Extension, Label: "Extension", Aliases: []string{"ext", "ext no", "extension number", "phone extension", "desk extension", "extn"},
		Kind: schema.Digits, MaxLen: 10, Help: "Desk phone extension, digits only (needed for NetSapiens)", Example: "101"},
	{Key: Department, Label: "Department", Aliases: []string{"dept", "team", "division"},
		Kind: schema.String, MaxLen: 100, Help: "Department or team", Example: "Sales"},
	{Key: Office, Label: "Office", Aliases: []string{"office/site", "office or site", "site", "location", "branch", "office location", "work location"},
		Kind: schema.String, MaxLen: 64, Help: "The office (site) the person works from", Example: "Denver HQ"},
	{Key: JobTitle, Label: "Job title", Aliases: []string{"title", "position", "job", "position title"},
		Kind: schema.String, MaxLen: 100, Help: "Job title", Example: "Account Executive"},
	{Key: StartDate, Label: "Start date", Aliases: []string{"start", "first day", "starting date", "commencement date", "start day"},
		Kind: schema.String, Help: "First day of work, as a date such as 2025-03-03", Example: "2025-03-03"},
	{Key: TimeZone, Label: "Time zone", Aliases: []string{"timezone", "tz", "time-zone"},
		Kind: schema.Enum, Enum: netsapiens.TimeZones, Help: "The person's time zone, such as America/Denver (pick from the list)", Example: "America/Denver"},
	{Key: Role, Label: "Role", Aliases: []string{"onboarding role", "access role", "access profile", "profile"},
		Kind: schema.Enum, Required: true, Help: "Decides which accounts the person gets (pick from the list)", Example: "Sales Agent"},
	{Key: Systems, Label: "Systems", Aliases: []string{"extra systems", "systems (+/-)", "add/remove systems", "system changes"},
		Kind: schema.String, Help: "Optional changes to the role's accounts: +cove adds Cove, -acefone removes Acefone; separate several with commas", Example: "+cove"},
	{Key: Password, Label: "Password", Aliases: []string{"initial password", "temp password", "temporary password", "first password"},
		Kind: schema.Secret, Help: "Optional first password; leave empty to let IT generate one (never shown in reports)", Example: ""},
}

// placeholders are texts HR writes to mean "nothing": treated as empty,
// but kept to be quoted in messages ("found 'n/a'").
var placeholders = []string{"n/a", "na", "none", "nil", "null", "-", "--", "—", "–", "tbc", "tbd", "tba", "?", "not applicable", "unknown", "no mobile", "no phone"}

func isPlaceholder(s string) bool {
	l := strings.ToLower(strings.TrimSpace(s))
	for _, p := range placeholders {
		if l == p {
			return true
		}
	}
	return false
}

// baseColumn returns the base HR column with this key, or nil.
func baseColumn(key string) *schema.Field {
	for _, f := range Columns {
		if f.Key == key {
			return f
		}
	}
	return nil
}

// identifier turns a custom column's label into its template key:
// "Cost centre" → "CostCentre".
func identifier(label string) string {
	var b strings.Builder
	upper := true
	for _, r := range label {
		switch {
		case r >= 'a' && r <= 'z':
			if upper {
				r -= 'a' - 'A'
			}
			b.WriteRune(r)
			upper = false
		case r >= 'A' && r <= 'Z' || (r >= '0' && r <= '9' && b.Len() > 0):
			b.WriteRune(r)
			upper = false
		default:
			upper = true
		}
	}
	return b.String()
}

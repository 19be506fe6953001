package fonedynamics

import (
	"github.com/onboard/onboard/internal/schema"
	"github.com/onboard/onboard/internal/schema/sample"
)

// Sample rows for samples/vendor-sheets.xlsx (internal/templates/samplegen):
// realistic rows with a few deliberate mistakes (sample.Wrong) and values
// that look wrong but are valid (sample.Fine).

// The properties the samples use: ones the sandbox knows (its own, and
// the one in the vendor's documentation), so a --sandbox run creates every
// valid row.
const (
	SampleSydneyProperty    = SandboxPropertySid
	SampleMelbourneProperty = SandboxExamplePropertySid
)

// SampleSheets are the Fone Dynamics tab of the sample workbook.
func SampleSheets() []sample.Sheet {
	return []sample.Sheet{sampleLogins()}
}

func sampleLogins() sample.Sheet {
	t := Login
	return sample.Sheet{
		Name:    t.Label,
		Target:  t,
		Columns: sample.Labels(t, false, "PropertySid", "Email", "Password", "FirstName", "LastName", "Scopes", "Enabled"),
		Rows: [][]any{
			{SampleSydneyProperty, "olivia.taylor@acme.example", "Harbour-Bridge-21", "Olivia", "Taylor", "Reporting,Integrations", true},
			{SampleSydneyProperty, "jack.wilson@acme.example", "Bondi!Surf2024", "Jack", "Wilson", "Manage,Reporting", true},
			{SampleSydneyProperty, "zoe.adams@acme.example", "Opera#House88", "Zoë", "Adams", "Reporting", true},
			{SampleSydneyProperty, "wang.fang@acme.example", "Jade&Lantern55", "芳", "王", "Reporting,ReportingSms", true},
			{SampleSydneyProperty, "chloe.oconnor@acme.example", "Blue*Mountains7", "Chloe", "O'Connor",
				sample.Wrong("Manage,Reportng", schema.RuleEnum, "scope typo", "Reporting"), true},
			{SampleMelbourneProperty, "lachlan.murphy@acme.example", "Yarra_River_42", "Lachlan", "Murphy", "Admin", true},
			{SampleMelbourneProperty, "mia.nguyen@acme.example", "Flinders^St99", "Mia", "Nguyen",
				sample.Fine("reporting, managesms", "scopes in lower case with a space after the comma are read as Reporting,ManageSms"), false},
			{SampleMelbourneProperty, "ethan.papadopoulos@acme.example", "Laneway+Coffee3", "Ethan", "Papadopoulos", "Billing,UserManagement", nil},
			{SampleMelbourneProperty, "siobhan.obrien@acme.example", "Cliffs-of-Moher8", "Siobhan", "O'Brien", "Reporting,OutboundCallReporting", true},
		},
	}
}

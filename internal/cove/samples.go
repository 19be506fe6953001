package cove

import (
	"github.com/onboard/onboard/internal/schema"
	"github.com/onboard/onboard/internal/schema/sample"
)

// Sample rows for samples/vendor-sheets.xlsx (internal/templates/samplegen):
// realistic rows with a few deliberate mistakes (sample.Wrong) and values
// that look wrong but are valid (sample.Fine).

// SampleSheets are the Cove tab of the sample workbook (under the sandbox's
// partner, so a --sandbox run creates every valid row).
func SampleSheets() []sample.Sheet {
	return []sample.Sheet{sampleUsers()}
}

func sampleUsers() sample.Sheet {
	t := User
	p := int64(SandboxPartnerID)
	return sample.Sheet{
		Name:   t.ID,
		Target: t,
		Columns: sample.Labels(t, false, "PartnerId", "Name", "EmailAddress", "Password", "RoleId", "FirstName", "FullName", "Title",
			"PhoneNumber"),
		Rows: [][]any{
			{p, "jane.smith@acme.example", "jane.smith@acme.example", "Rocky-Mtn-2024", int64(2), "Jane", "Smith", "Office Manager", "+1 303 555 0101"},
			{p, "jose.garcia@acme.example", "jose.garcia@acme.example", "Sierra#Nevada5", int64(4), "José", "García", "Account Executive", "+1 303 555 0102"},
			{p, "zoe.muller@acme.example", "zoe.muller@acme.example", "Thames!Path33", int64(5), "Zoë", "Müller", "Support Engineer", "+44 20 7946 0958"},
			{p, sample.Wrong("s.obrien@acme.example", schema.RuleSameAs, "the login name must be the same as the email address", ""),
				"siobhan.obrien@acme.example", "Cliffs-of-Moher8", int64(4), "Siobhan", "O'Brien", "Support Lead", "+44 20 7946 0959"},
			{p, "wang.fang@acme.example", "wang.fang@acme.example", "Jade&Lantern55", int64(3), "芳", "王", "Backup Administrator", "+61 2 9000 1234"},
			{p, "noah.fischer@acme.example", "noah.fischer@acme.example", sample.Fine(nil, "no password: the user sets one at first login"),
				int64(4), "Noah", "Fischer", "Site Reliability Engineer", "+1 303 555 0112"},
			{p, "aisha.bello@acme.example", "aisha.bello@acme.example", "Lone*Star*77", int64(4), "Aisha", "Bello", "Operations Manager", "+1 512 555 0107"},
			{p, "marcus.johnson@acme.example", "marcus.johnson@acme.example", "Empire^State9", int64(5), "Marcus", "Johnson", "Sales Manager", "+1 212 555 0106"},
			{p, "hannah.lee@acme.example", "hannah.lee@acme.example", "Coral+Reef2024", int64(3), "Hannah", "Lee", "Office Administrator", "+61 2 9000 1235"},
		},
	}
}

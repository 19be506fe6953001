package samplegen

import (
	"github.com/onboard/onboard/internal/cove"
	"github.com/onboard/onboard/internal/fonedynamics"
	"github.com/onboard/onboard/internal/netsapiens"
	"github.com/onboard/onboard/internal/registry"
	"github.com/onboard/onboard/internal/schema/sample"
)

// Domain is the NetSapiens domain the samples create sites and users in.
const Domain = netsapiens.SampleDomain

// The Fone Dynamics properties and the Cove customers the samples use.
// They are ones the sandbox knows (its own property, the property in the
// vendor's documentation, its partner and a child customer), so
// `onboard run samples/... --sandbox` creates every valid row.
const (
	SydneyProperty    = fonedynamics.SampleSydneyProperty
	MelbourneProperty = fonedynamics.SampleMelbourneProperty
	CovePartnerID     = cove.SandboxPartnerID
	CoveEMEAPartnerID = "123457"
)

// The sample sheets' parts (package schema/sample).
type (
	sheet  = sample.Sheet
	bad    = sample.Bad
	tricky = sample.Tricky
)

// sheets are the target sheets of the sample workbook, in tab order: each
// vendor's (connector.Vendor.Samples) in the registry's creation order.
func sheets() []sheet {
	var out []sheet
	for _, v := range registry.Vendors {
		if v.Samples != nil {
			out = append(out, v.Samples()...)
		}
	}
	return out
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

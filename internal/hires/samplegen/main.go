// Command samplegen writes the HR sample workbook samples/new-hires.xlsx:
// a "New Hires" sheet of thirteen people across four roles and three
// offices, with a few typical HR mistakes (listed in
// samples/new-hires.md), plus the Instructions sheet of the HR template.
//
//	go run ./internal/hires/samplegen -plan samples/plan.yaml -o samples/new-hires.xlsx
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"

	"github.com/onboard/onboard/internal/hires"
)

// people are the sample rows, in hires.TemplateColumns order: First name,
// Last name, Work email, Mobile, Extension, Department, Office, Job title,
// Start date, Time zone, Role, Systems, Password.
var people = [][]string{
	{"Jane", "Smith", "jane.smith@acme.example", "+1 303 555 0142", "101", "Sales", "Denver HQ", "Account Executive", "2025-03-03", "America/Denver", "Sales Agent", "", ""},
	{"José", "García", "jose.garcia@acme.example", "+1 720 555 0199", "102", "Sales", "Denver HQ", "Sales Development Rep", "2025-03-03", "America/Denver", "Sales Agent", "", ""},
	{"Liam", "O'Brien", "liam.obrien@acme.example", "+44 7700 900123", "201", "Support", "London", "Support Engineer", "2025-03-10", "Europe/London", "Support Agent", "", ""},
	{"Zoë", "Quinn", "zoe.quinn@acme.example", "+61 412 345 678", "301", "Management", "Sydney", "Regional Manager", "2025-03-10", "Australia/Sydney", "Manager", "-fonedynamics", ""},
	{"芳", "王", "fang.wang@acme.example", "+61 413 555 010", "302", "Support", "Sydney", "Support Specialist", "2025-03-17", "Australia/Sydney", "Support Agent", "", ""},
	// Mistake: the email has no domain ending (C7).
	{"Priya", "Sharma", "priya.sharma@acme", "+44 7700 900456", "202", "Sales", "London", "Account Manager", "2025-03-17", "Europe/London", "Sales Agent", "", ""},
	// Mistake: a Sales Agent gets Acefone, which needs a mobile (D8).
	{"Tom", "Zhang", "tom.zhang@acme.example", "n/a", "103", "Sales", "Denver HQ", "Sales Associate", "2025-03-24", "America/Denver", "Sales Agent", "", ""},
	// Mistake: a misspelt role (K9).
	{"Ana", "Müller", "ana.muller@acme.example", "+44 7700 900789", "203", "Marketing", "London", "Marketing Lead", "2025-03-24", "Europe/London", "Sales Agnet", "", ""},
	// Mistake: extension 101 is Jane Smith's already (E10).
	{"Marcus", "Webb", "marcus.webb@acme.example", "+1 303 555 0177", "101", "IT", "Denver HQ", "IT Administrator", "2025-03-31", "America/Denver", "IT Admin", "", ""},
	{"Chloé", "Dubois", "chloe.dubois@acme.example", "+44 7700 900321", "204", "Management", "London", "Office Manager", "2025-03-31", "Europe/London", "Manager", "", ""},
	// Mistake: a misspelt time zone (J12).
	{"Noah", "Kelly", "noah.kelly@acme.example", "+61 414 555 020", "303", "Sales", "Sydney", "Account Executive", "2025-04-07", "Australia/Sidney", "Sales Agent", "", ""},
	{"Sam", "Patel", "sam.patel@acme.example", "+1 720 555 0123", "104", "Sales", "Denver HQ", "Sales Team Lead", "2025-04-07", "America/Denver", "Sales Agent", "+cove", ""},
	{"Olivia", "Brown", "olivia.brown@acme.example", "+61 415 555 030", "304", "IT", "Sydney", "Systems Engineer", "2025-04-14", "Australia/Sydney", "IT Admin", "", "Sample-Only-Pa55word!"},
}

func main() {
	planPath := flag.String("plan", "samples/plan.yaml", "the onboarding plan the workbook's drop-downs come from")
	out := flag.String("o", "samples/new-hires.xlsx", "the workbook to write")
	template := flag.Bool("template", false, "write the empty HR template instead of the sample people")
	flag.Parse()
	if err := run(*planPath, *out, *template); err != nil {
		fmt.Fprintln(os.Stderr, "samplegen:", err)
		os.Exit(1)
	}
}

func run(planPath, out string, template bool) error {
	plan, err := hires.LoadPlan(planPath)
	if err != nil {
		return err
	}
	rows := people
	if template {
		rows = nil
	}
	var b bytes.Buffer
	if err := hires.WriteWorkbook(&b, plan, rows); err != nil {
		return err
	}
	if err := os.WriteFile(out, b.Bytes(), 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", out, err)
	}
	fmt.Printf("wrote %s (%d people)\n", out, len(rows))
	return nil
}

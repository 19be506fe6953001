// Package hires turns HR's list of new hires — one row per person with
// plain columns (First name, Last name, Work email, Mobile, Extension,
// Department, Office, Job title, Start date, Time zone, Role, optional
// Systems and Password) — into vendor records, following an onboarding
// plan IT writes once in YAML.
//
// The plan says which targets each role gets (roles:), how each target's
// wire keys are filled from the HR columns (targets:, with column, value,
// template, derive, by_role and fallback), which passwords are generated
// (passwords:), and how names become vendor IDs (acefone: and cove:
// tables, or Cove's own list at run time through a RoleResolver). Every
// derived value keeps its Source, so a vendor rule it breaks is reported on
// the HR cell it came from ("Mobile (D8): Acefone needs a mobile number;
// found 'n/a'") or on the plan line at fault.
//
// Typical use (validate and run):
//
//	plan, err := hires.LoadPlan("plan.yaml")    // *PlanError(s): exit 2
//	f, err := intake.Open(input, intake.Options{})
//	batch, err := plan.Process(f, hires.Options{Defaults: cfg.Defaults()})
//	for _, p := range batch.Problems { ... }    // traced to HR cells
//	// run only:
//	err = plan.Resolve(ctx, coveRoles)          // before Process, when plan.Pending() is not empty
//	creds, err := hires.OpenCredentials("reports", input) // one file per input, kept across runs
//	for _, d := range batch.Ready() { creds.Add(d); send(d.Record) }
//
// Generated passwords live only in memory and in the credentials file
// (mode 0600, created exclusively); Derived, Value and Person never print
// them.
package hires

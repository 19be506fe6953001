package fonedynamics_test

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/onboard/onboard/internal/fonedynamics"
	"github.com/onboard/onboard/internal/intake"
	"github.com/onboard/onboard/internal/schema"
	"github.com/onboard/onboard/internal/validate"
)

// The rules of Create Online Login as the reference states them (seed
// 000, /work/shared/vendors/fonedynamics.md).
func TestLoginRulesAsDocumented(t *testing.T) {
	l := fonedynamics.Login
	var required []string
	for _, f := range l.Fields {
		if f.Required {
			required = append(required, f.Key)
		}
	}
	if want := []string{"PropertySid", "Email", "Password", "FirstName", "LastName", "Scopes"}; !reflect.DeepEqual(required, want) {
		t.Errorf("required %v, want %v", required, want)
	}
	scopes := []string{"Manage", "Reporting", "ManageSms", "ReportingSms", "Integrations", "Billing", "ProjectManagement",
		"UserManagement", "SipManagement", "ProvisionSms", "OutboundCallReporting", "DisconnectNumbers", "Admin"}
	if f := l.Field("Scopes"); f.Kind != schema.List || f.Item != schema.Enum || !f.Join || !reflect.DeepEqual(f.Enum, scopes) {
		t.Errorf("Scopes %+v: want a comma-joined list of the 13 documented scopes", f)
	}
	if f := l.Field("Enabled"); f.Kind != schema.Boolean || f.Required || f.Default != "FALSE" {
		t.Errorf("Enabled %+v: optional boolean, default false", f)
	}
	if f := l.Field("Email"); f.Kind != schema.Email {
		t.Errorf("Email kind %v", f.Kind)
	}
	if f := l.Field("Password"); !f.IsSecret() {
		t.Error("Password must be a secret")
	}
	if f := l.Field("PropertySid"); !f.Path {
		t.Error("PropertySid is a path parameter")
	}
}

// "This will be used as the username": one login per email in the
// account, whatever the property.
func TestEmailUniqueAcrossProperties(t *testing.T) {
	if want := []schema.Unique{{Fields: []string{"Email"}, Name: "email (the login's user name) across all properties"}}; !reflect.DeepEqual(fonedynamics.Login.Unique, want) {
		t.Errorf("Unique %+v, want %+v", fonedynamics.Login.Unique, want)
	}
	sum := validateCSV(t, "Property SID,Email,Password,First Name,Last Name,Scopes\n"+
		"S111,jane@example.com,pw,Jane,Smith,Reporting\n"+
		"S222,JANE@example.com,pw,Jane,Smith,Reporting\n"+
		"S222,bob@example.com,pw,Bob,Jones,Reporting\n")
	if sum.Valid != 2 || sum.Invalid != 1 || len(sum.Errors) != 1 {
		t.Fatalf("valid %d invalid %d errors %+v", sum.Valid, sum.Invalid, sum.Errors)
	}
	if is := sum.Errors[0]; is.Row != 3 || is.Field != "Email" || is.Rule != schema.RuleUnique || !strings.Contains(is.Message, "already used on row 2") {
		t.Errorf("issue %+v", is)
	}
}

// The reference gives the property SID no format: onboard's pattern is a
// warning ("stricter than the vendor"), and the SID is sent as typed.
func TestPropertySidPatternIsAdvice(t *testing.T) {
	f := fonedynamics.Login.Field("PropertySid")
	if !reflect.DeepEqual(f.Advice, []string{schema.RulePattern}) {
		t.Errorf("Advice %v", f.Advice)
	}
	if v, p := f.Parse("S1234567890ABCDEF1234567890ABCDE"); p != nil || v != "S1234567890ABCDEF1234567890ABCDE" {
		t.Errorf("documented example: %v %+v", v, p)
	}
	if v, p := f.Parse("S-12 34"); v != "S-12 34" || p == nil || !p.Warning || p.Rule != schema.RulePattern {
		t.Errorf("odd SID: %v %+v", v, p)
	}
	sum := validateCSV(t, "Property SID,Email,Password,First Name,Last Name,Scopes\nS-12 34,jane@example.com,pw,Jane,Smith,Reporting\n")
	if sum.Valid != 1 || len(sum.Errors) != 0 || len(sum.Warnings) != 1 || sum.Warnings[0].Field != "PropertySid" {
		t.Errorf("valid %d errors %+v warnings %+v", sum.Valid, sum.Errors, sum.Warnings)
	}
}

func validateCSV(t *testing.T, text string) *validate.Summary {
	t.Helper()
	path := filepath.Join(t.TempDir(), "logins.csv")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	in, err := intake.Open(path, intake.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = in.Close() })
	sum, err := validate.Run(context.Background(), in, validate.Options{Target: fonedynamics.Login.ID}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

package fonedynamics

import "github.com/onboard/onboard/internal/schema"

// Scopes are the permission scopes an online login may hold.
var Scopes = []string{"Manage", "Reporting", "ManageSms", "ReportingSms", "Integrations", "Billing", "ProjectManagement",
	"UserManagement", "SipManagement", "ProvisionSms", "OutboundCallReporting", "DisconnectNumbers", "Admin"}

// Login is the target fonedynamics.login: Create Online Login.
var Login = &schema.Target{
	ID: "fonedynamics.login", Vendor: "fonedynamics", Label: "Fone Dynamics Logins", System: "Fone Dynamics", HR: "Fone Dynamics portal login", Aliases: []string{"Fone Dynamics", "Online Logins", "FoneDynamics Login"},
	Operation: "Create Online Login (POST /v2/Properties/{PropertySid}/OnlineLogins)",
	Help:      "One row per Fone Dynamics portal login to create for a property",
	Fields: []*schema.Field{
		// The reference gives PropertySid no format (seed 000: "The secure
		// identification of the property"): the pattern is onboard's
		// advice, stricter than the vendor, so a value breaking it warns
		// and is sent as typed.
		{Key: "PropertySid", Label: "Property SID", Aliases: []string{"property"}, Kind: schema.String, Path: true, Required: true,
			Pattern: `[A-Za-z0-9]{2,64}`, PatternHelp: "letters and digits, as the portal shows the property SID",
			Advice: []string{schema.RulePattern},
			Help:   "The property the login is for (may come from the config's defaults)", Example: "S1234567890ABCDEF1234567890ABCDE"},
		{Key: "Email", Label: "Email", Aliases: []string{"email address", "e-mail", "username"}, Kind: schema.Email, Required: true,
			Help: "Email address; it is the login's user name", Example: "jane.smith@example.com"},
		{Key: "Password", Label: "Password", Kind: schema.Secret, Required: true, Help: "Login password (never shown in reports)", Example: "SecurePassword123!"},
		{Key: "FirstName", Label: "First Name", Kind: schema.String, Required: true, Help: "First name", Example: "Jane"},
		{Key: "LastName", Label: "Last Name", Aliases: []string{"surname"}, Kind: schema.String, Required: true, Help: "Last name", Example: "Smith"},
		{Key: "Scopes", Label: "Scopes", Aliases: []string{"permissions"}, Kind: schema.List, Item: schema.Enum, Enum: Scopes, Join: true, Required: true,
			Help: "Permission scopes, separated by commas", Example: "Reporting,Integrations"},
		{Key: "Enabled", Label: "Enabled", Kind: schema.Boolean, Default: "FALSE", Help: "Enable the login immediately (default FALSE)", Example: "TRUE"},
	},
	Key: []string{"PropertySid", "Email"},
	// The reference (seed 000) says the Email "will be used as the
	// username": one login per email in the account, whatever the
	// property.
	Unique: []schema.Unique{{Fields: []string{"Email"}, Name: "email (the login's user name) across all properties"}},
}

// Targets are Fone Dynamics' targets.
var Targets = []*schema.Target{Login}

package acefone

import "github.com/onboard/onboard/internal/schema"

// User is the target acefone.user: create a user (POST /v1/user).
var User = &schema.Target{
	ID: "acefone.user", Vendor: "acefone", Label: "Acefone Users", System: "Acefone", HR: "Acefone contact-centre user", Aliases: []string{"Acefone", "Acefone User"},
	Operation: "Create User (POST /v1/user)",
	Help:      "One row per Acefone user (agent / web login) to create",
	Fields: []*schema.Field{
		{Key: "name", Label: "Name", Aliases: []string{"full name"}, Kind: schema.String, Required: true, Help: "The user's full name", Example: "Priya Sharma"},
		{Key: "number", Label: "Mobile Number", Aliases: []string{"mobile", "phone"}, Kind: schema.Phone, Required: true,
			// Seed 002 types it "string" only: the 6-15 digit check is advice.
			Advice: []string{schema.RulePhone},
			Help:   "Mobile number, kept as text (a leading + or 0 matters)", Example: "919876543210"},
		{Key: "create_agent", Label: "Create Agent", Kind: schema.Boolean, Required: true, Help: "Create the user as an agent", Example: "TRUE"},
		{Key: "email", Label: "Email", Aliases: []string{"email address", "e-mail"}, Kind: schema.Email, Required: true, Help: "Email address", Example: "priya.sharma@example.com"},
		{Key: "login_id", Label: "Login ID", Aliases: []string{"login", "username"}, Kind: schema.String, Required: true,
			Help: "Web login ID, unique in the account", Example: "priya.sharma"},
		{Key: "user_role", Label: "Role ID", Aliases: []string{"role"}, Kind: schema.Integer, Required: true, Min: schema.I64(1),
			// Seed 002 types it "int" only: at least 1 is advice.
			Advice: []string{schema.RuleRange},
			Help:   "Role ID (the number in the web panel's URL when editing the role)", Example: "3"},
		{Key: "password", Label: "Password", Kind: schema.Secret, Required: true, Help: "Web login password (never shown in reports)", Example: "Chang3-Me!"},
		{Key: "status", Label: "Enabled", Aliases: []string{"status"}, Kind: schema.Boolean, Required: true, Help: "TRUE enabled, FALSE disabled", Example: "TRUE"},
		{Key: "caller_id", Label: "Caller IDs", Aliases: []string{"caller id"}, Kind: schema.List, Item: schema.Integer, Required: true, Min: schema.I64(1),
			Help: "IDs of the numbers allotted to the user (from My Numbers), separated by commas", Example: "101, 102"},
		{Key: "create_web_login", Label: "Create Web Login", Kind: schema.Boolean, Help: "Create a web login", Example: "TRUE"},
		{Key: "block_web_login", Label: "Block Web Login", Kind: schema.Boolean, Help: "Block access to web login", Example: "FALSE"},
		{Key: "user_for_cdr", Label: "Users For CDR", Kind: schema.JSON, Help: "Users whose call records this user may see, as a JSON object", Example: ""},
		{Key: "login_based_calling", Label: "Login Based Calling", Kind: schema.Boolean, Help: "Calls work only while logged in to the app", Example: "FALSE"},
		{Key: "agent_group", Label: "Agent Groups", Kind: schema.List, Item: schema.String, Help: "Agent groups, separated by commas", Example: "sales group"},
		{Key: "department", Label: "Departments", Aliases: []string{"department"}, Kind: schema.List, Item: schema.String,
			Help: "Departments, separated by commas", Example: "Sales Department, Finance Department"},
		{Key: "time_group", Label: "Time Group", Kind: schema.String, Help: "Time group, e.g. Evening Shift", Example: "Evening Shift"},
		{Key: "create_extension", Label: "Create Extension", Kind: schema.Boolean, Help: "Create an extension for the user", Example: "TRUE"},
		{Key: "enable_calling", Label: "Enable Calling", Kind: schema.Boolean, Help: "Make the user workable for calling", Example: "TRUE"},
	},
	Key:    []string{"login_id"},
	Unique: []schema.Unique{{Fields: []string{"login_id"}, Name: "login ID"}},
}

// Targets are Acefone's targets.
var Targets = []*schema.Target{User}

package fakevendor

import "github.com/onboard/onboard/internal/schema"

// User is the target fakevendor.user: create a user (POST /v1/users).
var User = &schema.Target{
	ID: "fakevendor.user", Vendor: Name, Label: "Fake Vendor Users", System: "Fake Vendor", HR: "Fake Vendor account",
	Operation: "Create User (POST /v1/users)",
	Help:      "One row per Fake Vendor user to create",
	Fields: []*schema.Field{
		{Key: "email", Label: "Email", Kind: schema.Email, Required: true, Help: "The user's email address, unique in the account", Example: "jane.smith@example.com"},
		{Key: "name", Label: "Name", Kind: schema.String, Required: true, Help: "The user's full name", Example: "Jane Smith"},
		{Key: "seats", Label: "Seats", Kind: schema.Integer, Min: schema.I64(1), Max: schema.I64(10), Help: "Licences to give, 1 to 10", Example: "1"},
	},
	Key:    []string{"email"},
	Unique: []schema.Unique{{Fields: []string{"email"}, Name: "email"}},
}

// Targets are the fake vendor's targets.
var Targets = []*schema.Target{User}

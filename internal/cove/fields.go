package cove

import "github.com/onboard/onboard/internal/schema"

// User is the target cove.user: the AddUser JSON-RPC method.
var User = &schema.Target{
	ID: "cove.user", Vendor: "cove", Label: "Cove Users", System: "Cove backup", HR: "Cove backup console user", Aliases: []string{"Cove", "Cove User", "Backup Users"},
	Operation: "AddUser (JSON-RPC)",
	Help:      "One row per Cove Data Protection console user to add",
	Fields: []*schema.Field{
		{Key: "PartnerId", Label: "Partner ID", Aliases: []string{"partner", "customer id"}, Kind: schema.Integer, Path: true, Required: true, Min: schema.I64(1),
			Help: "ID of the customer (partner) the user belongs to (may come from the config's defaults)", Example: "123456"},
		{Key: "Name", Label: "Login Name", Aliases: []string{"name", "login"}, Kind: schema.Email, Required: true, SameAs: "EmailAddress",
			Help: "Login name: must be the same as the email address", Example: "backup.test@mail.com"},
		{Key: "EmailAddress", Label: "Email", Aliases: []string{"email address", "e-mail"}, Kind: schema.Email, Required: true,
			Help: "Email address (the same as the login name)", Example: "backup.test@mail.com"},
		{Key: "Password", Label: "Password", Kind: schema.Secret, Help: "Password; leave empty to let the user set one (never shown in reports)", Example: "AbC123DeF!"},
		{Key: "RoleId", Label: "Role ID", Aliases: []string{"role"}, Kind: schema.Integer, Min: schema.I64(1), Max: schema.I64(7),
			Help: "Role ID, 1 to 7, as EnumerateUserRoles lists them for the partner (roles include SuperUser, Administrator, Manager, Operator, Supporter)", Example: "1"},
		{Key: "ContactPersonId", Label: "Contact Person ID", Kind: schema.Integer, Min: schema.I64(1), Help: "ID of an associated contact person", Example: ""},
		{Key: "TwoFactorAuthenticationStatus", Label: "Two-Factor Status", Kind: schema.List, Item: schema.Enum, Enum: TwoFactorStates,
			Help: "2FA states (Undefined, Disabled or Enabled), separated by commas", Example: ""},
		{Key: "Flags", Label: "Flags", Kind: schema.List, Item: schema.String,
			Help: "Feature flags (Cove's UserFlag values, e.g. security officer), separated by commas; sent as typed", Example: ""},
		{Key: "FirstName", Label: "First Name", Kind: schema.String, Help: "First name", Example: "Backup"},
		{Key: "FullName", Label: "Surname", Aliases: []string{"full name", "last name"}, Kind: schema.String, Help: "The surname (Cove calls it FullName)", Example: "Test"},
		{Key: "Title", Label: "Title", Aliases: []string{"job title"}, Kind: schema.String, Help: "Job title", Example: "Manager"},
		{Key: "PhoneNumber", Label: "Phone Number", Aliases: []string{"phone"}, Kind: schema.Phone, Help: "Phone number", Example: "+61290001234"},
	},
	Key:    []string{"PartnerId", "Name"},
	Unique: []schema.Unique{{Fields: []string{"PartnerId", "Name"}, Name: "login name per partner"}},
}

// TwoFactorStates are the values of TwoFactorAuthenticationStatus.
var TwoFactorStates = []string{"Undefined", "Disabled", "Enabled"}

// Targets are Cove's targets.
var Targets = []*schema.Target{User}

package netsapiens

import (
	_ "embed"
	"strings"

	"github.com/onboard/onboard/internal/schema"
)

//go:embed time-zones.txt
var timeZoneList string

// TimeZones are the 221 time-zone names NetSapiens accepts.
var TimeZones = strings.Fields(timeZoneList)

// UserScopes are the NetSapiens user-scope values.
var UserScopes = []string{"Basic User", "Simple User", "Advanced User", "Call Center Agent", "Site Manager",
	"Call Center Supervisor", "Office Manager", "Reseller", "Super User", "NDP", "No Portal"}

var (
	voicemailAlertBehaviors = []string{"no", "yes", "attnew", "attsave", "atttrash", "brief", "briefattnew", "briefattsave", "briefatttrash"}
	transcriptionVendors    = []string{"no", "Deepgram", "Google", "Mutare", "Voicebase"}
	recordingConfigurations = []string{"yes", "yes-with-transcription", "yes-with-transcription-and-sentiment", "no"}
)

func yesNo(key, label, def, help string) *schema.Field {
	return &schema.Field{Key: key, Label: label, Kind: schema.YesNo, Default: def, Help: help + " (default " + def + ")", Example: def}
}

func integer(key, label string, min, max *int64, help, example string) *schema.Field {
	return &schema.Field{Key: key, Label: label, Kind: schema.Integer, Min: min, Max: max, Help: help, Example: example}
}

func text(key, label, help, example string) *schema.Field {
	return &schema.Field{Key: key, Label: label, Kind: schema.String, Help: help, Example: example}
}

var i64 = schema.I64

func domainField() *schema.Field {
	return &schema.Field{Key: "domain", Label: "Domain", Kind: schema.String, Path: true, Default: "~", MaxLen: 64,
		Pattern: `~|[A-Za-z0-9._-]*`, PatternHelp: "letters, digits, '.', '_' and '-' (or ~ for the token's own domain)",
		Help: "Domain the record is created in; ~ means the domain of the API token", Example: "example.com"}
}

func synchronousField() *schema.Field {
	return &schema.Field{Key: "synchronous", Label: "Synchronous", Kind: schema.YesNo, Default: "no",
		Help: "yes: wait for the record to be written and get it back (200); no: accepted for processing (202)", Example: "yes"}
}

func timeZoneField() *schema.Field {
	return &schema.Field{Key: "time-zone", Label: "Time Zone", Aliases: []string{"timezone", "tz"}, Kind: schema.Enum, Enum: TimeZones,
		Help: "Time zone, one of the 221 NetSapiens names such as America/New_York", Example: "America/New_York"}
}

func recordingField() *schema.Field {
	return &schema.Field{Key: "recording-configuration", Label: "Call Recording", Kind: schema.Enum, Enum: recordingConfigurations, Default: "no",
		Help: "Whether calls are recorded (default no)", Example: "no"}
}

// Settings shared by sites and users, in the vendor's order. The site
// page (seed 003) lists them in this order; its two "Defaults to no"
// toggles after emergency-address-id are, by their place in the user page
// (seed 001), call-recordings-hide-from-others-enabled and
// music-on-hold-randomized-enabled.
func sharedSettings() []*schema.Field {
	return []*schema.Field{
		text("dial-plan", "Dial Plan", "Dial plan controlling forwards and outbound actions", ""),
		text("dial-policy", "Dial Policy", "Dial policy (permission) controlling which destinations can be dialed", "US and Canada"),
		yesNo("voicemail-user-control-enabled", "Voicemail User Control", "yes", "Let the user manage their voicemail"),
		yesNo("phone-numbers-to-allow-enabled", "Allow List Enabled", "yes", "Use the list of phone numbers to allow"),
		yesNo("phone-numbers-to-reject-enabled", "Reject List Enabled", "yes", "Use the list of phone numbers to reject"),
		yesNo("call-screening-enabled", "Call Screening", "yes", "Screen incoming calls"),
		{Key: "language-token", Label: "Language", Kind: schema.String, Default: "en_US", Help: "Portal language (default en_US)", Example: "en_US"},
		integer("limits-max-data-storage-kilobytes", "Max Storage (KB)", i64(0), nil, "Maximum voicemail, greeting and fax storage in kilobytes (0 or more)", "512000"),
		integer("limits-max-active-calls-total", "Max Active Calls", i64(0), i64(3600), "Maximum number of active calls (0 to 3600)", "2"),
		yesNo("directory-annouce-in-dial-by-name-enabled", "Announce In Dial By Name", "yes", "Announce in the dial-by-name directory"),
		yesNo("voicemail-enabled", "Voicemail Enabled", "yes", "Turn on voicemail"),
		yesNo("voicemail-receive-broadcast-enabled", "Receive Voicemail Broadcasts", "yes", "Receive broadcast voicemails"),
		yesNo("reject-anonymous-calls-enabled", "Reject Anonymous Calls", "no", "Reject calls without caller ID"),
		yesNo("voicemail-playback-announce-datetime-received", "Announce Voicemail Time", "no", "Announce when a voicemail was received"),
		yesNo("voicemail-playback-announce-caller-id", "Announce Voicemail Caller", "no", "Announce the caller ID of a voicemail"),
		yesNo("voicemail-playback-sort-newest-to-oldest", "Voicemail Newest First", "yes", "Play voicemails newest first"),
		integer("caller-id-number", "Caller ID Number", i64(10), nil, "Outbound caller ID number, digits only (10 or more)", "15551234567"),
		text("caller-id-name", "Caller ID Name", "Outbound caller ID name", "Acme Sales"),
		integer("caller-id-number-emergency", "Emergency Caller ID", i64(10), nil, "Caller ID number used for emergency calls, digits only (10 or more)", "15551234567"),
		integer("area-code", "Area Code", i64(100), i64(999), "Area code used when 7 digits are dialed (100 to 999)", "555"),
		yesNo("directory-name-visible-in-list-enabled", "Visible In Directory", "yes", "List the user in the directory"),
		text("emergency-address-id", "Emergency Address ID", "Exact address-id of an existing emergency (DLR) address", ""),
		yesNo("call-recordings-hide-from-others-enabled", "Hide Recordings", "no", "Hide call recordings from others"),
		yesNo("music-on-hold-randomized-enabled", "Random Music On Hold", "no", "Play music on hold in random order"),
		recordingField(),
	}
}

// Site is the target netsapiens.site: Create Site in Domain.
var Site = &schema.Target{
	ID: "netsapiens.site", Vendor: "netsapiens", Label: "NetSapiens Sites", System: "NetSapiens site", Shared: true, Aliases: []string{"Sites", "NetSapiens Site"},
	Operation: "Create Site in Domain (POST /domains/{domain}/sites)",
	Help:      "One row per site (office) to create in a NetSapiens domain",
	Fields: append([]*schema.Field{
		domainField(),
		synchronousField(),
		{Key: "site", Label: "Site", Aliases: []string{"site name", "office"}, Kind: schema.String, Required: true,
			Help: "Site (location) name", Example: "Denver HQ"},
		text("login-username", "Login Username", "Login for the site", ""),
		timeZoneField(),
	}, sharedSettings()...),
	Key:    []string{"domain", "site"},
	Unique: []schema.Unique{{Fields: []string{"domain", "site"}, Name: "site per domain"}},
}

// User is the target netsapiens.user: Create User in Domain.
var User = &schema.Target{
	ID: "netsapiens.user", Vendor: "netsapiens", Label: "NetSapiens Users", System: "NetSapiens phone", HR: "NetSapiens desk phone user", Aliases: []string{"Users", "NetSapiens User", "Phone Users"},
	Operation: "Create User in Domain (POST /domains/{domain}/users)",
	Help:      "One row per phone user (extension) to create in a NetSapiens domain",
	Fields: append([]*schema.Field{
		domainField(),
		synchronousField(),
		// The vendor types the extension as any string (seed 001): digits
		// only is onboard's advice, a warning.
		{Key: "user", Label: "Extension", Aliases: []string{"user", "ext"}, Kind: schema.Digits, Required: true,
			Advice: []string{schema.RuleDigits},
			Help:   "The user's extension, usually digits (leading zeros are kept)", Example: "101"},
		{Key: "name-first-name", Label: "First Name", Aliases: []string{"first name", "given name"}, Kind: schema.String, Required: true,
			Help: "First name", Example: "Jane"},
		{Key: "name-last-name", Label: "Last Name", Aliases: []string{"last name", "surname", "family name"}, Kind: schema.String, Required: true,
			Help: "Last name", Example: "Smith"},
		{Key: "login-username", Label: "Login Username", Aliases: []string{"login"}, Kind: schema.String,
			Help: "Portal login, unique across the whole system (default extension@domain)", Example: "jane.smith@example.com"},
		{Key: "email-address", Label: "Email", Aliases: []string{"email address", "e-mail"}, Kind: schema.Email, Multi: true, Separator: ";", Required: true,
			Help: "Email address, or several separated by ;", Example: "jane.smith@example.com"},
		// Seed 001 marks user-scope required with "Defaults to Basic
		// User": the column may be left out or blank, and the client
		// sends the default (see SentDefaults).
		{Key: "user-scope", Label: "User Scope", Aliases: []string{"scope", "role"}, Kind: schema.Enum, Enum: UserScopes, Default: "Basic User",
			Help: "Permission level in the portal and API (default Basic User)", Example: "Basic User"},
		text("department", "Department", "Department (free text, need not exist beforehand)", "Sales"),
		{Key: "site", Label: "Site", Aliases: []string{"office"}, Kind: schema.String,
			Help: "Site (location); a site in the NetSapiens Sites sheet is created first", Example: "Denver HQ"},
		timeZoneField(),
		// Seed 001 types the PIN as a string ("the numeric pin"); the
		// published OpenAPI says integer. The seed wins: digits sent as a
		// JSON string, so leading zeros survive.
		{Key: "voicemail-login-pin", Label: "Voicemail PIN", Aliases: []string{"pin"}, Kind: schema.Digits,
			Help: "Numeric PIN for checking voicemail by phone (digits only)", Example: "4812"},
		yesNo("privacy", "Caller ID Privacy", "no", "Block caller ID on outbound calls"),
		text("status-message", "Status Message", "Status (away) message", ""),
		integer("directory-name-number-dtmf-mapping", "Dial By Name Digits", i64(100), i64(999),
			"Keypad digits of the first 3 letters of the name for dial-by-name (Smith → 764), 100 to 999", "764"),
		integer("ring-no-answer-timeout-seconds", "Ring Timeout (s)", i64(0), i64(3600), "Seconds to ring before the next option (0 to 3600)", "25"),
		integer("directory-override-order-duplicate-dtmf-mapping", "Dial By Name Order", i64(0), i64(100),
			"Playback order when users share dial-by-name digits (0 to 100)", "0"),
		integer("voicemail-greeting-index", "Voicemail Greeting", i64(0), nil, "Index of the active greeting; 0 is the generic greeting (0 or more)", "0"),
		text("email-send-alert-new-voicemail-cc-list-csv", "Voicemail CC Users", "Users who get copies of new voicemails", ""),
		{Key: "email-send-alert-new-voicemail-behavior", Label: "Voicemail Email", Kind: schema.Enum, Enum: voicemailAlertBehaviors, Default: "no",
			Help: "What the voicemail email carries (default no)", Example: "attnew"},
		yesNo("email-send-alert-new-voicemail-enabled", "Voicemail Email Alerts", "no", "Email on a new voicemail"),
		yesNo("email-send-alert-new-missed-call-enabled", "Missed Call Email Alerts", "no", "Email on a missed call"),
		yesNo("email-send-alert-data-storage-limit-reached-enabled", "Storage Full Alerts", "no", "Email when storage is full"),
		text("service-code", "Service Code", "Billing/tracking tag; codes starting system- are hidden in portals", ""),
		{Key: "voicemail-transcription-enabled", Label: "Voicemail Transcription", Kind: schema.Enum, Enum: transcriptionVendors, Default: "no",
			Help: "Transcription vendor for voicemails (default no)", Example: "no"},
		integer("music-on-hold-comfort-message-repeat-interval-seconds", "Hold Message Interval (s)", i64(0), i64(3600),
			"Seconds between comfort messages on hold (0 to 3600)", "30"),
	}, sharedSettings()...),
	Key: []string{"domain", "user"},
	Unique: []schema.Unique{
		{Fields: []string{"login-username"}, Name: "login username (unique across the whole system)"},
		{Fields: []string{"domain", "user"}, Name: "extension per domain"},
	},
	Refs: []schema.Ref{{Field: "site", Target: "netsapiens.site", Key: []string{"domain", "site"}}},
}

// Targets are NetSapiens' targets, sites first (users may name them).
var Targets = []*schema.Target{Site, User}

// sentDefaults are, by target ID, the fields the vendor's reference marks
// required while documenting a default (seed 001: user-scope "required,
// Defaults to Basic User"). onboard does not require them: the client
// sends the documented default when the cell is empty or the column
// missing, so the vendor never sees them absent.
var sentDefaults = map[string][]string{User.ID: {"user-scope"}}

// SentDefaults returns t's fields the vendor requires but whose documented
// default the client fills in when a record has no value.
func SentDefaults(t *schema.Target) []*schema.Field {
	var out []*schema.Field
	for _, key := range sentDefaults[t.ID] {
		if f := t.Field(key); f != nil {
			out = append(out, f)
		}
	}
	return out
}

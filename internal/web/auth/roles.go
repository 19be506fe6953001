package auth

import (
	"fmt"
	"strings"
)

// Role is what a signed-in person may do.
type Role string

// The roles: HR uploads, checks and requests; IT also runs, cancels and
// downloads passwords; admin also manages users and reads the audit log.
const (
	HR    Role = "hr"
	IT    Role = "it"
	Admin Role = "admin"
)

// Roles lists the roles in order of growing rights.
func Roles() []Role { return []Role{HR, IT, Admin} }

// ParseRole reads a role name, saying which ones exist when it is none.
func ParseRole(s string) (Role, error) {
	r := Role(strings.ToLower(strings.TrimSpace(s)))
	for _, k := range Roles() {
		if r == k {
			return r, nil
		}
	}
	return "", fmt.Errorf("unknown role %q: use hr, it or admin", s)
}

// Label is the role's name on a page.
func (r Role) Label() string {
	switch r {
	case HR:
		return "HR"
	case IT:
		return "IT"
	case Admin:
		return "Admin"
	}
	return string(r)
}

// CanRun says whether the role may start, cancel and resume runs.
func (r Role) CanRun() bool { return r == IT || r == Admin }

// CanSeeCredentials says whether the role may download generated passwords.
func (r Role) CanSeeCredentials() bool { return r == IT || r == Admin }

// CanSeeAll says whether the role sees every batch, not only its own.
func (r Role) CanSeeAll() bool { return r == IT || r == Admin }

// CanAudit says whether the role may read and export the audit log.
func (r Role) CanAudit() bool { return r == Admin }

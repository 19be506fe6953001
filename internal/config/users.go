package config

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// User is one person who may sign in to `onboard serve` with a password.
// Hash is an argon2id or bcrypt hash; the file never holds a password.
type User struct {
	Name string
	Role string // hr, it or admin
	Hash string
	Line int
}

// SSO is the role mapping for people signed in by a reverse proxy
// (X-Forwarded-User / X-Forwarded-Email): Roles maps a user name or
// e-mail address, lower case, to a role; DefaultRole ("" = none) is the
// role of everyone else the proxy lets through.
type SSO struct {
	Roles       map[string]string
	DefaultRole string
}

// Auth is what the users: and sso: sections say.
type Auth struct {
	Users []User
	SSO   SSO
}

// Users lists the configured users by name.
func (c *Config) Users() []User { return c.auth.Users }

// SSO returns the reverse-proxy role mapping.
func (c *Config) SSO() SSO { return c.auth.SSO }

// roleNames are the roles a user may have.
var roleNames = []string{"hr", "it", "admin"}

// userName is what a local user name may look like.
var userName = regexp.MustCompile(`^[a-z0-9][a-z0-9._@-]{0,63}$`)

// CheckUserName says what is wrong with a user name, or nil.
func CheckUserName(name string) error {
	if !userName.MatchString(name) {
		return fmt.Errorf("user name %q: use 1 to 64 lower-case letters, digits, '.', '_', '@' or '-', starting with a letter or digit", name)
	}
	return nil
}

func validRole(r string) bool {
	for _, k := range roleNames {
		if r == k {
			return true
		}
	}
	return false
}

// usersSection reads users: NAME: {role: ROLE, password_hash: HASH}.
func (p *parser) usersSection(v *yaml.Node, a *Auth) {
	if isNull(v) {
		return
	}
	if v.Kind != yaml.MappingNode {
		p.fail(v, "users", "must map user names to their role and password_hash, found "+kindWords(v),
			"add users with onboard user add NAME --role hr")
		return
	}
	p.eachPair(v, "users", func(k, val *yaml.Node) {
		path := "users." + k.Value
		if err := CheckUserName(k.Value); err != nil {
			p.fail(k, path, err.Error(), "rename the user")
			return
		}
		if val.Kind != yaml.MappingNode {
			p.fail(val, path, "must be a mapping with role and password_hash, found "+kindWords(val), "add users with onboard user add NAME --role hr")
			return
		}
		u := User{Name: k.Value, Line: k.Line}
		p.eachPair(val, path, func(key, x *yaml.Node) {
			switch key.Value {
			case "role":
				u.Role = strings.ToLower(strings.TrimSpace(x.Value))
				if x.Kind != yaml.ScalarNode || !validRole(u.Role) {
					p.fail(x, path+".role", fmt.Sprintf("unknown role %q", x.Value), "use hr, it or admin")
				}
			case "password_hash":
				u.Hash = strings.TrimSpace(x.Value)
				if x.Kind != yaml.ScalarNode || !looksHashed(u.Hash) {
					p.fail(x, path+".password_hash", "is not an argon2id or bcrypt hash", "set the password with onboard user add "+u.Name+" --role ROLE")
				}
			case "password":
				p.fail(key, path+".password", "a password is never written in the configuration",
					"remove it and run onboard user add "+u.Name+" --role ROLE, which writes only its hash")
			default:
				p.unknownKey(key, path+"."+key.Value, []string{"role", "password_hash"}, "a user has role and password_hash")
			}
		})
		if u.Role == "" {
			p.fail(k, path+".role", "missing", "add role: hr, it or admin")
		}
		if u.Hash == "" {
			p.fail(k, path+".password_hash", "missing", "set the password with onboard user add "+u.Name+" --role ROLE")
		}
		a.Users = append(a.Users, u)
	})
}

// looksHashed reports whether s has the shape of an argon2id or bcrypt hash.
func looksHashed(s string) bool {
	return strings.HasPrefix(s, "$argon2id$") || strings.HasPrefix(s, "$2a$") || strings.HasPrefix(s, "$2b$") || strings.HasPrefix(s, "$2y$")
}

// ssoSection reads sso: {roles: {NAME-OR-EMAIL: ROLE}, default_role: ROLE}.
func (p *parser) ssoSection(v *yaml.Node, a *Auth) {
	if isNull(v) {
		return
	}
	if v.Kind != yaml.MappingNode {
		p.fail(v, "sso", "must be a mapping with roles (and default_role), found "+kindWords(v), "e.g. sso: {roles: {ana@example.com: hr}}")
		return
	}
	a.SSO.Roles = map[string]string{}
	p.eachPair(v, "sso", func(k, val *yaml.Node) {
		switch k.Value {
		case "roles":
			if val.Kind != yaml.MappingNode {
				p.fail(val, "sso.roles", "must map user names or e-mail addresses to roles, found "+kindWords(val), "e.g. roles: {ana@example.com: hr}")
				return
			}
			p.eachPair(val, "sso.roles", func(who, role *yaml.Node) {
				r := strings.ToLower(strings.TrimSpace(role.Value))
				if role.Kind != yaml.ScalarNode || !validRole(r) {
					p.fail(role, "sso.roles."+who.Value, fmt.Sprintf("unknown role %q", role.Value), "use hr, it or admin")
					return
				}
				a.SSO.Roles[strings.ToLower(strings.TrimSpace(who.Value))] = r
			})
		case "default_role":
			r := strings.ToLower(strings.TrimSpace(val.Value))
			if val.Kind != yaml.ScalarNode || (r != "" && !validRole(r)) {
				p.fail(val, "sso.default_role", fmt.Sprintf("unknown role %q", val.Value), "use hr, it or admin, or leave it out to refuse people not listed")
				return
			}
			a.SSO.DefaultRole = r
		default:
			p.unknownKey(k, "sso."+k.Value, []string{"roles", "default_role"}, "sso has roles and default_role")
		}
	})
}

// LoadAuth reads only the users: and sso: sections of the file at path,
// for `onboard serve --sandbox`, whose vendors come from the sandbox.
func LoadAuth(path string) (Auth, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Auth{}, &Error{Source: path, Msg: "cannot read the configuration: " + err.Error(), Fix: "check the path", Err: err}
	}
	p := &parser{source: path, env: os.LookupEnv}
	var a Auth
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return a, &Error{Source: path, Msg: "not valid YAML", Fix: "check the indentation and quoting", Err: err}
	}
	if len(doc.Content) > 0 && resolve(doc.Content[0]).Kind == yaml.MappingNode {
		p.eachPair(resolve(doc.Content[0]), "", func(k, v *yaml.Node) {
			switch k.Value {
			case "users":
				p.usersSection(v, &a)
			case "sso":
				p.ssoSection(v, &a)
			}
		})
	}
	if len(p.errs) > 0 {
		return a, errors.Join(p.errs...)
	}
	return a, nil
}

// AddUser sets the role and password hash of user name in the
// configuration file at path, creating the file (mode 0600) or the users:
// section when missing and keeping the rest of the file and its comments.
func AddUser(path, name, role, hash string) error {
	if err := CheckUserName(name); err != nil {
		return err
	}
	if !validRole(role) {
		return fmt.Errorf("unknown role %q: use hr, it or admin", role)
	}
	if !looksHashed(hash) {
		return errors.New("not a password hash")
	}
	return editUsers(path, true, func(users *yaml.Node) error {
		entry := mapValue(users, name)
		entry.Kind, entry.Tag, entry.Value, entry.Style = yaml.MappingNode, "", "", 0
		entry.Content = []*yaml.Node{
			scalarNode("role"), scalarNode(role),
			scalarNode("password_hash"), {Kind: yaml.ScalarNode, Value: hash, Style: yaml.SingleQuotedStyle},
		}
		sortUsers(users)
		return nil
	})
}

// RemoveUser deletes user name from the users: section of the file at
// path, keeping the rest of the file and its comments. A name that is not
// there is an error that lists the names that are.
func RemoveUser(path, name string) error {
	return editUsers(path, false, func(users *yaml.Node) error {
		var names []string
		for i := 0; i+1 < len(users.Content); i += 2 {
			if users.Content[i].Value == name {
				users.Content = append(users.Content[:i], users.Content[i+2:]...)
				return nil
			}
			names = append(names, users.Content[i].Value)
		}
		if len(names) == 0 {
			return fmt.Errorf("%s has no users", path)
		}
		return fmt.Errorf("there is no user %q in %s; the users there are %s", name, path, strings.Join(names, ", "))
	})
}

// editUsers reads the file at path (a missing one is empty when create
// is set), lets edit change its users: mapping, and writes it back with
// mode 0600.
func editUsers(path string, create bool, edit func(users *yaml.Node) error) error {
	data, err := os.ReadFile(path)
	if err != nil && (!create || !errors.Is(err, os.ErrNotExist)) {
		return fmt.Errorf("read %s: %w", path, err)
	}
	var doc yaml.Node
	if len(bytes.TrimSpace(data)) > 0 {
		if err := yaml.Unmarshal(data, &doc); err != nil {
			return fmt.Errorf("%s is not valid YAML (%v): fix it first", path, err)
		}
	}
	if doc.Kind == 0 {
		doc = yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{{Kind: yaml.MappingNode}}}
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return fmt.Errorf("%s: the top level must be a mapping of keys", path)
	}
	users := mapValue(root, "users")
	if users.Kind != yaml.MappingNode {
		users.Kind, users.Tag, users.Value, users.Content = yaml.MappingNode, "", "", nil
	}
	if err := edit(users); err != nil {
		return err
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return writePrivate(path, buf.Bytes())
}

// mapValue returns the value node of key in mapping m, adding it empty.
func mapValue(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	v := &yaml.Node{Kind: yaml.MappingNode}
	m.Content = append(m.Content, scalarNode(key), v)
	return v
}

func scalarNode(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Value: s} }

// sortUsers orders the users: mapping by name.
func sortUsers(m *yaml.Node) {
	type pair struct{ k, v *yaml.Node }
	pairs := make([]pair, 0, len(m.Content)/2)
	for i := 0; i+1 < len(m.Content); i += 2 {
		pairs = append(pairs, pair{m.Content[i], m.Content[i+1]})
	}
	sort.SliceStable(pairs, func(i, j int) bool { return pairs[i].k.Value < pairs[j].k.Value })
	m.Content = m.Content[:0]
	for _, p := range pairs {
		m.Content = append(m.Content, p.k, p.v)
	}
}

// writePrivate replaces path with data, mode 0600, through a temporary
// file in the same directory so a crash leaves the old or the new file.
func writePrivate(path string, data []byte) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, ".onboard-config-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

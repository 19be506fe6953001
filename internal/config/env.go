package config

import (
	"fmt"
	"strings"
)

// missingVarError is a ${NAME} reference to a variable that is not set.
type missingVarError struct{ name string }

func (e *missingVarError) Error() string { return "environment variable " + e.name + " is not set" }

// expand replaces each ${NAME} in s with the value of the environment
// variable NAME. "$${" stands for a literal "${"; any other '$' is kept as
// written, so an inline value such as "pa$word" needs no escaping. A
// variable that is set but empty expands to "".
func expand(s string, lookup func(string) (string, bool)) (string, error) {
	if !strings.Contains(s, "$") {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		switch {
		case strings.HasPrefix(s[i:], "$${"):
			b.WriteString("${")
			i += 3
		case strings.HasPrefix(s[i:], "${"):
			end := strings.IndexByte(s[i+2:], '}')
			if end < 0 {
				return "", fmt.Errorf("unterminated ${ at character %d", i+1)
			}
			name := s[i+2 : i+2+end]
			if !validVarName(name) {
				return "", fmt.Errorf("the ${...} at character %d does not hold a variable name (letters, digits and '_', not starting with a digit)", i+1)
			}
			val, ok := lookup(name)
			if !ok {
				return "", &missingVarError{name: name}
			}
			b.WriteString(val)
			i += 2 + end + 1
		default:
			b.WriteByte(s[i])
			i++
		}
	}
	return b.String(), nil
}

func validVarName(name string) bool {
	if name == "" {
		return false
	}
	for i, r := range name {
		switch {
		case r == '_', r >= 'A' && r <= 'Z', r >= 'a' && r <= 'z':
		case r >= '0' && r <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

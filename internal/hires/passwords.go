package hires

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"math/big"
	"strings"
)

// Character classes of generated passwords. Look-alikes (I, l, O, 0, 1)
// are left out so a password can be read out loud; the symbols are ones
// every vendor form takes.
const (
	passwordUpper   = "ABCDEFGHJKLMNPQRSTUVWXYZ"
	passwordLower   = "abcdefghijkmnopqrstuvwxyz"
	passwordDigits  = "23456789"
	passwordSymbols = "!#%*+-=?@^_"
)

// GeneratePassword returns a random password of the given length (at least
// MinPasswordLength) from r (crypto/rand.Reader in real use) with at least
// one upper-case letter, lower-case letter, digit and symbol. It starts
// with a letter, so a spreadsheet never reads it as a formula.
func GeneratePassword(r io.Reader, length int) (string, error) {
	if length < MinPasswordLength {
		return "", fmt.Errorf("a generated password must have at least %d characters; %d asked", MinPasswordLength, length)
	}
	all := passwordUpper + passwordLower + passwordDigits + passwordSymbols
	pick := func(set string) (byte, error) {
		n, err := rand.Int(r, big.NewInt(int64(len(set))))
		if err != nil {
			return 0, fmt.Errorf("reading random bytes: %w", err)
		}
		return set[n.Int64()], nil
	}
	for attempt := 0; attempt < 100; attempt++ {
		b := make([]byte, length)
		var err error
		if b[0], err = pick(passwordUpper + passwordLower); err != nil {
			return "", err
		}
		for i := 1; i < length; i++ {
			if b[i], err = pick(all); err != nil {
				return "", err
			}
		}
		s := string(b)
		if strings.ContainsAny(s, passwordUpper) && strings.ContainsAny(s, passwordLower) &&
			strings.ContainsAny(s, passwordDigits) && strings.ContainsAny(s, passwordSymbols) {
			return s, nil
		}
	}
	return "", errors.New("the random source gave no password with every kind of character")
}

// login returns what the person signs in with at the vendor: the
// record's natural key without path fields.
func (d *Derived) login() string {
	for _, k := range d.Target.Key {
		if f := d.Target.Field(k); f != nil && !f.Path {
			return d.Text(k)
		}
	}
	return d.Person.Text(WorkEmail)
}

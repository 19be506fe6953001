// Package auth holds what `onboard serve` needs to know who someone is:
// password hashes (argon2id, and bcrypt for hashes made elsewhere), the
// roles and what each may do, and a sign-in rate limiter.
package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"
)

// argon2id parameters: OWASP's recommended minimum (19 MiB, 2 passes),
// so a small server can check several sign-ins at once.
const (
	argonTime    = 2
	argonMemory  = 19 * 1024 // KiB
	argonThreads = 1
	argonKeyLen  = 32
	saltLen      = 16
)

// MinPasswordLen is the shortest password `onboard user add` accepts.
const MinPasswordLen = 12

// ErrMismatch is returned when a password does not match its hash.
var ErrMismatch = errors.New("the password does not match")

// HashPassword returns the argon2id hash of password in the PHC string
// format ($argon2id$v=19$m=...,t=...,p=...$salt$key).
func HashPassword(password string) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("make a salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

// CheckHash reports whether hash is a hash this package can verify,
// saying what is wrong when it is not (it never repeats the hash).
func CheckHash(hash string) error {
	switch {
	case strings.HasPrefix(hash, "$argon2id$"):
		_, err := parseArgon(hash)
		return err
	case strings.HasPrefix(hash, "$2a$"), strings.HasPrefix(hash, "$2b$"), strings.HasPrefix(hash, "$2y$"):
		if _, err := bcrypt.Cost([]byte(hash)); err != nil {
			return errors.New("not a valid bcrypt hash")
		}
		return nil
	}
	return errors.New("not an argon2id or bcrypt hash (make one with onboard user add)")
}

// Verify checks password against an argon2id or bcrypt hash in constant
// time; it returns ErrMismatch when they differ.
func Verify(hash, password string) error {
	if strings.HasPrefix(hash, "$argon2id$") {
		p, err := parseArgon(hash)
		if err != nil {
			return err
		}
		key := argon2.IDKey([]byte(password), p.salt, p.time, p.memory, p.threads, uint32(len(p.key)))
		if subtle.ConstantTimeCompare(key, p.key) != 1 {
			return ErrMismatch
		}
		return nil
	}
	if err := CheckHash(hash); err != nil {
		return err
	}
	if err := bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)); err != nil {
		return ErrMismatch
	}
	return nil
}

type argonParams struct {
	time, memory uint32
	threads      uint8
	salt, key    []byte
}

// parseArgon reads a PHC argon2id string.
func parseArgon(hash string) (argonParams, error) {
	var p argonParams
	bad := errors.New("not a valid argon2id hash")
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return p, bad
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return p, bad
	}
	var threads uint32
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.memory, &p.time, &threads); err != nil {
		return p, bad
	}
	if p.time < 1 || p.time > 20 || p.memory < 8*1024 || p.memory > 1024*1024 || threads < 1 || threads > 16 {
		return p, errors.New("argon2id hash parameters out of range")
	}
	p.threads = uint8(threads)
	var err error
	enc := base64.RawStdEncoding
	if p.salt, err = enc.DecodeString(parts[4]); err != nil || len(p.salt) < 8 {
		return p, bad
	}
	if p.key, err = enc.DecodeString(parts[5]); err != nil || len(p.key) < 16 {
		return p, bad
	}
	return p, nil
}

// RandomPassword returns a password of n characters from an alphabet with
// no look-alike letters, for demo users.
func RandomPassword(n int) string {
	const alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	return pick(alphabet, n)
}

func pick(alphabet string, n int) string {
	limit := 256 - 256%len(alphabet) // reject bytes that would bias the pick
	b := make([]byte, 0, n)
	r := make([]byte, 1)
	for len(b) < n {
		_, _ = rand.Read(r)
		if int(r[0]) < limit {
			b = append(b, alphabet[int(r[0])%len(alphabet)])
		}
	}
	return string(b)
}

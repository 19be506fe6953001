package simcore

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	mrand "math/rand/v2"
	"strings"
	"sync"
)

// Signer issues opaque, tamper-proof tokens (Acefone access tokens, Cove
// visas): a payload and its HMAC, so the sandbox keeps no per-token state
// and a made-up token is recognised as unknown.
type Signer struct {
	key []byte
}

func NewSigner() *Signer {
	key := make([]byte, 32)
	_, _ = rand.Read(key) // never fails on supported platforms
	return &Signer{key: key}
}

var b64 = base64.RawURLEncoding

// Sign returns "<kind>.<payload>.<mac>".
func (g *Signer) Sign(kind string, payload []byte) string {
	p := b64.EncodeToString(payload)
	return kind + "." + p + "." + b64.EncodeToString(g.mac(kind, p))
}

// Verify returns the payload of a token of this kind, or false.
func (g *Signer) Verify(kind, token string) ([]byte, bool) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 || parts[0] != kind {
		return nil, false
	}
	mac, err := b64.DecodeString(parts[2])
	if err != nil || !hmac.Equal(mac, g.mac(kind, parts[1])) {
		return nil, false
	}
	payload, err := b64.DecodeString(parts[1])
	if err != nil {
		return nil, false
	}
	return payload, true
}

func (g *Signer) mac(kind, payload string) []byte {
	m := hmac.New(sha256.New, g.key)
	m.Write([]byte(kind))
	m.Write([]byte{0})
	m.Write([]byte(payload))
	return m.Sum(nil)[:18]
}

// Pack and Unpack encode fixed-size token payloads.
func Pack(vals ...uint64) []byte {
	b := make([]byte, 8*len(vals))
	for i, v := range vals {
		binary.BigEndian.PutUint64(b[8*i:], v)
	}
	return b
}

func Unpack(b []byte, n int) ([]uint64, bool) {
	if len(b) != 8*n {
		return nil, false
	}
	vals := make([]uint64, n)
	for i := range vals {
		vals[i] = binary.BigEndian.Uint64(b[8*i:])
	}
	return vals, true
}

// IDSource hands out the vendors' record IDs: counters, and UUIDs from a
// seeded generator so that a seed repeats them too.
type IDSource struct {
	mu   sync.Mutex
	rng  *mrand.Rand
	next map[string]int64
}

func NewIDSource(seed uint64) *IDSource {
	return &IDSource{rng: mrand.New(mrand.NewPCG(seed, 0x1d5)), next: make(map[string]int64)}
}

// Seq returns the next number of a named counter starting at start.
func (g *IDSource) Seq(name string, start int64) int64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	n, ok := g.next[name]
	if !ok {
		n = start
	}
	g.next[name] = n + 1
	return n
}

// UUID returns a random (version 4) UUID in its usual text form.
func (g *IDSource) UUID() string {
	g.mu.Lock()
	hi, lo := g.rng.Uint64(), g.rng.Uint64()
	g.mu.Unlock()
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], hi)
	binary.BigEndian.PutUint64(b[8:], lo)
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // RFC 4122 variant
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// Nonce returns a random number for token payloads, outside the seeded
// generator so that logins do not shift the IDs a seed gives.
func Nonce() uint64 {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return binary.BigEndian.Uint64(b[:])
}

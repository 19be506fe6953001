package config

import (
	"strings"
	"testing"
)

// FuzzConfig feeds arbitrary bytes to Parse (with the real vendors, whose
// clients are built at load): it must return a config or an error naming
// the file, never panic.
//
//	go test -run '^$' -fuzz FuzzConfig -fuzztime 30s -fuzzminimizetime 50x ./internal/config/
//
// Without -fuzzminimizetime each new interesting input may be minimised
// for up to a minute, during which no executions are counted.
func FuzzConfig(f *testing.F) {
	for _, s := range []string{sample, "", "vendors:\n", "sandbox: true\nvendors: {acefone: {token: x}}\n",
		"vendors:\n  acefone: {base_url: http://10.0.0.1, allow_insecure: on, token: \"a\\rb\"}\n",
		"vendors:\n  cove: {partner: a, username: b, password: c, base_url: https://h, defaults: {PartnerId: 1}}\n",
		"vendors:\n  fonedynamics: {account_sid: a, token: '${T}', auth_scheme: x, rate: 1e-9}\n",
		"a: &a [*a]\n", "vendors: {netsapiens: {defaults: {domain: [1]}}}\n"} {
		f.Add([]byte(s))
	}
	env := envOf(map[string]string{"T": "tok", "NETSAPIENS_TOKEN": "n", "COVE_PASSWORD": "c", "FONEDYNAMICS_TOKEN": "f", "ACEFONE_PASSWORD": "a"})
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := Parse(data, "fuzz.yaml", env)
		if err != nil {
			if cfg != nil {
				t.Fatal("config returned with an error")
			}
			if !strings.Contains(err.Error(), "fuzz.yaml") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		_ = cfg.String()
		_ = cfg.Warnings()
	})
}

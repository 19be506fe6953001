package main

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/onboard/onboard/internal/config"
	"github.com/onboard/onboard/internal/connector"
	"github.com/onboard/onboard/internal/connector/httpcall"
	"github.com/onboard/onboard/internal/registry"
	"github.com/onboard/onboard/internal/terminal"
)

// checkSchema is the version of the --json document of `onboard check`.
const checkSchema = 1

func newCheckCmd(io *terminal.IO) *cobra.Command {
	var cfgFlag string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "check [--config FILE] [VENDOR...]",
		Short: "Test each vendor's address and credentials before a run, creating nothing",
		Long: `Check signs in to every configured vendor (or only the VENDORs named: netsapiens,
acefone, fonedynamics, cove), makes one read-only call, and says per vendor whether
it is ready: reachable, TLS accepted (for https), credentials accepted, the
configured defaults (NetSapiens domain, Fone Dynamics PropertySid, Cove
PartnerId) found at the vendor, how long the call took, and any rate-limit
headers seen. What a vendor gives no way to read, such as the right to create,
is reported as "not checked". Nothing is created and no secret is printed.

The configuration is found as for 'onboard run': --config, else $ONBOARD_CONFIG,
else ./onboard.yaml, else $XDG_CONFIG_HOME/onboard/onboard.yaml.

Exit codes: 0 every vendor checked is ready; 1 some vendor is not ready;
2 the configuration cannot be used (missing, unreadable, invalid, or a VENDOR
named that it does not configure).`,
		Example: `  onboard check
  onboard check --config onboard.yaml cove
  onboard check --json > check.json`,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if ctx == nil {
				ctx = context.Background()
			}
			return runCheck(ctx, io, cfgFlag, args, asJSON)
		},
	}
	cmd.Flags().StringVar(&cfgFlag, "config", "", "configuration file (YAML) (default: discovered, see above)")
	cmd.Flags().BoolVar(&asJSON, "json", false, `print the result as one JSON document on stdout ("schema": 1)`)
	return cmd
}

// vendorCheck is one vendor's check as printed.
type vendorCheck struct {
	vendor  *config.Vendor
	checked bool // false: the vendor's client has no check
	report  connector.CheckReport
}

func (v vendorCheck) ready() bool { return !v.checked || v.report.Ready() }

func runCheck(ctx context.Context, io *terminal.IO, cfgFlag string, names []string, asJSON bool) error {
	path, err := config.Discover(cfgFlag, nil)
	if err != nil {
		return exitWith(exitUnusable, fmt.Errorf("%w\n(write one with 'onboard init')", err))
	}
	cfg, err := config.Load(path)
	if err != nil {
		return exitWith(exitUnusable, err)
	}
	vendors, err := checkedVendors(cfg, path, names)
	if err != nil {
		return exitWith(exitUnusable, err)
	}
	for _, w := range cfg.Warnings() {
		fmt.Fprintln(io.ErrOut, "warning:", w)
	}
	results := checkVendors(ctx, vendors)
	if asJSON {
		if err := writeJSON(io.Out, checkDocument(path, results)); err != nil {
			return exitWith(exitUnusable, err)
		}
	} else {
		printChecks(io, path, results)
	}
	for _, r := range results {
		if !r.ready() {
			return exitWith(exitRowsInvalid, nil)
		}
	}
	return nil
}

// checkedVendors returns the configured vendors to check: all of them, or
// those named (by name or label, in any case).
func checkedVendors(cfg *config.Config, path string, names []string) ([]*config.Vendor, error) {
	if len(names) == 0 {
		vs := cfg.Vendors()
		if len(vs) == 0 {
			return nil, fmt.Errorf("%s configures no vendor: add a section under vendors: (see 'onboard init')", path)
		}
		return vs, nil
	}
	var out []*config.Vendor
	seen := make(map[string]bool)
	for _, n := range names {
		spec := vendorNamed(n)
		if spec == nil {
			return nil, fmt.Errorf("%q is no vendor onboard knows; give one of %s", n, strings.Join(vendorNames(), ", "))
		}
		v, ok := cfg.Vendor(spec.Name)
		if !ok {
			return nil, fmt.Errorf("%s has no vendors.%s section, so %s cannot be checked: add it, or leave %s out", path, spec.Name, spec.Label, n)
		}
		if !seen[spec.Name] {
			seen[spec.Name] = true
			out = append(out, v)
		}
	}
	return out, nil
}

// vendorNamed finds a vendor by its name or label, ignoring case and spaces.
func vendorNamed(n string) *connector.Vendor {
	fold := func(s string) string { return strings.ToLower(strings.ReplaceAll(strings.TrimSpace(s), " ", "")) }
	for _, v := range registry.Vendors {
		if fold(v.Name) == fold(n) || fold(v.Label) == fold(n) {
			return v
		}
	}
	return nil
}

func vendorNames() []string {
	names := make([]string, len(registry.Vendors))
	for i, v := range registry.Vendors {
		names[i] = v.Name
	}
	return names
}

// checkVendors checks every vendor at once and returns the results in
// the order given.
func checkVendors(ctx context.Context, vendors []*config.Vendor) []vendorCheck {
	out := make([]vendorCheck, len(vendors))
	var wg sync.WaitGroup
	for i, v := range vendors {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i] = checkVendor(ctx, v)
		}()
	}
	wg.Wait()
	return out
}

// checkVendor builds the vendor's client from its settings and runs its
// check, keeping every secret option's value out of the report.
func checkVendor(ctx context.Context, v *config.Vendor) vendorCheck {
	res := vendorCheck{vendor: v, checked: true}
	s := v.Settings()
	s.Logger = slog.New(slog.DiscardHandler)
	client, err := v.Spec.New(s)
	switch {
	case err != nil:
		res.report.Fail("settings", err.Error(), "the vendor's keys")
	default:
		checker, ok := client.(connector.Checker)
		if !ok {
			res.checked = false
			res.report.Skip(connector.StepRead, v.Spec.Label+" offers no check")
			return res
		}
		res.report = checker.Check(ctx, v.Defaults)
	}
	var secrets []string
	for _, o := range v.Spec.Options {
		if o.Secret {
			secrets = append(secrets, v.Options[o.Name])
		}
	}
	res.report.Scrub(func(s string) string { return httpcall.Scrub(s, secrets...) })
	return res
}

// printChecks prints one line per vendor, then a summary on stderr.
func printChecks(io *terminal.IO, path string, results []vendorCheck) {
	notReady := 0
	for _, r := range results {
		fmt.Fprintln(io.Out, checkLine(path, r))
		if !r.ready() {
			notReady++
		}
	}
	switch {
	case notReady == 0:
		fmt.Fprintf(io.ErrOut, "Nothing was created. %s ready.\n", countWord(len(results), "vendor is", "vendors are"))
	default:
		verb := "is"
		if notReady > 1 {
			verb = "are"
		}
		fmt.Fprintf(io.ErrOut, "Nothing was created. %d of %d vendors %s not ready: fix %s and run 'onboard check' again.\n",
			notReady, len(results), verb, path)
	}
}

func countWord(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// checkLine is a vendor's line: "NetSapiens: ready (signed in, domain
// sandbox.example found, 42 ms)" or "Cove: NOT READY — the login was
// refused (...): check partner, username and password in onboard.yaml
// (vendors.cove)".
func checkLine(path string, r vendorCheck) string {
	label := r.vendor.Spec.Label
	if !r.checked {
		return label + ": not checked (" + label + " offers no check)"
	}
	if step, failed := r.report.Failure(); failed {
		line := label + ": NOT READY — " + step.Detail
		where := path + " (vendors." + r.vendor.Name + ")"
		if step.Fix != "" {
			return line + ": check " + step.Fix + " in " + where
		}
		line += " [" + where + "]"
		return line
	}
	var found, skipped []string
	for _, s := range r.report.Steps {
		switch {
		case s.Name == connector.StepCredentials && s.State == connector.StepOK,
			s.Name == connector.StepDefaults && s.State == connector.StepOK:
			found = append(found, s.Detail)
		case s.Name == connector.StepDefaults && s.State == connector.StepNotChecked:
			what, _, _ := strings.Cut(s.Detail, ":")
			skipped = append(skipped, what+" not checked")
		case s.Name == connector.StepPermission && s.State == connector.StepNotChecked:
			skipped = append(skipped, "permission to create not checked")
		}
	}
	notes := append(found, skipped...)
	notes = append(notes, latencyText(r.report.Latency))
	if rl := r.report.RateLimitText(); rl != "" {
		notes = append(notes, "rate limit "+rl)
	}
	return label + ": ready (" + strings.Join(notes, ", ") + ")"
}

func latencyText(d time.Duration) string {
	if d < time.Millisecond {
		return "under 1 ms"
	}
	return fmt.Sprintf("%d ms", d.Round(time.Millisecond).Milliseconds())
}

// checkDoc is the --json document.
type checkDoc struct {
	Schema  int            `json:"schema"`
	Config  string         `json:"config"`
	Ready   bool           `json:"ready"`
	Vendors []checkVendDoc `json:"vendors"`
}

type checkVendDoc struct {
	Vendor     string                `json:"vendor"`
	Label      string                `json:"label"`
	BaseURL    string                `json:"base_url"`
	Checked    bool                  `json:"checked"`
	Ready      bool                  `json:"ready"`
	LatencyMS  float64               `json:"latency_ms"`
	RateLimits map[string]string     `json:"rate_limits"`
	Steps      []connector.CheckStep `json:"steps"`
}

func checkDocument(path string, results []vendorCheck) checkDoc {
	doc := checkDoc{Schema: checkSchema, Config: path, Ready: true, Vendors: []checkVendDoc{}}
	for _, r := range results {
		rl := r.report.RateLimits
		if rl == nil {
			rl = map[string]string{}
		}
		doc.Vendors = append(doc.Vendors, checkVendDoc{
			Vendor: r.vendor.Name, Label: r.vendor.Spec.Label, BaseURL: r.vendor.BaseURL, Checked: r.checked, Ready: r.ready(),
			LatencyMS: float64(r.report.Latency.Microseconds()) / 1000, RateLimits: rl, Steps: r.report.Steps,
		})
		doc.Ready = doc.Ready && r.ready()
	}
	return doc
}

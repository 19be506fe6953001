package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/onboard/onboard/internal/sandbox"
	"github.com/onboard/onboard/internal/terminal"
)

func newSandboxCmd(io *terminal.IO) *cobra.Command {
	var (
		listen, writeConfig      string
		rates                    []string
		latency                  time.Duration
		errRate, lost, malformed float64
		seed                     uint64
		allowRemote, quiet       bool
	)
	cmd := &cobra.Command{
		Use:   "sandbox",
		Short: "Run local simulators of the NetSapiens, Acefone, Fone Dynamics and Cove APIs",
		Long: "Serve every vendor API on one local address until Ctrl-C, checking every request\n" +
			"against the vendors' rules and keeping a ledger of what was created\n" +
			"(GET <base>/_sandbox/ledger; POST <base>/_sandbox/reset empties it).\n\n" +
			"Fault injection rehearses real networks: --rate limits a vendor (429 with Retry-After),\n" +
			"--latency slows creates and lookups, --error-rate answers a share of them 503/500,\n" +
			"--lost-rate stores a share of creates and then drops the connection, --malformed-rate\n" +
			"stores them and answers with cut-off JSON. The same --seed gives the same faults.\n\n" +
			"--write-config writes an onboard configuration file pointing every vendor here.",
		Example: "  onboard sandbox --write-config sandbox.yaml\n" +
			"  onboard sandbox --rate netsapiens=5 --error-rate 0.05 --lost-rate 0.02 --seed 7",
		Args: noArgs("onboard sandbox --listen 127.0.0.1:8089 --write-config sandbox.yaml"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkListen(listen, allowRemote); err != nil {
				return exitWith(exitUnusable, err)
			}
			faults := sandbox.Faults{Latency: latency, ErrorRate: errRate, LostRate: lost, MalformedRate: malformed}
			perVendor, err := parseRates(rates, faults)
			if err != nil {
				return exitWith(exitUnusable, err)
			}
			logger := slog.New(slog.NewTextHandler(io.ErrOut, nil))
			if quiet {
				logger = slog.New(slog.DiscardHandler)
			}
			srv, err := sandbox.New(sandbox.Options{Seed: seed, Faults: faults, VendorFaults: perVendor, Logger: logger})
			if err != nil {
				return exitWith(exitUnusable, fmt.Errorf("%w; check --error-rate, --lost-rate and --malformed-rate", err))
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			base, err := srv.Start(context.Background(), listen)
			if err != nil {
				return exitWith(exitUnusable, fmt.Errorf("%w (is another sandbox running there? pick another address with --listen)", err))
			}
			defer srv.Close()
			if writeConfig != "" {
				if err := sandbox.WriteConfig(writeConfig, base); err != nil {
					return exitWith(exitUnusable, err)
				}
			}
			fmt.Fprintf(io.Out, "onboard sandbox listening on %s (Ctrl-C to stop)\n", base)
			fmt.Fprint(io.Out, sandbox.Describe(base))
			if d := describeFaults(faults, perVendor); d != "" {
				fmt.Fprintf(io.Out, "faults (seed %d): %s\n", seed, d)
			}
			if writeConfig != "" {
				fmt.Fprintf(io.Out, "configuration written to %s: run onboard with --config %s\n", writeConfig, writeConfig)
			}
			<-ctx.Done()
			fmt.Fprintln(io.ErrOut, "onboard sandbox: stopping")
			if err := srv.Close(); err != nil {
				return exitWith(exitUnusable, err)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&listen, "listen", "127.0.0.1:8089", "address to listen on, host:port (port 0 picks a free one)")
	f.BoolVar(&allowRemote, "allow-remote", false, "allow a --listen address other machines can reach")
	f.StringArrayVar(&rates, "rate", nil, "rate limit VENDOR=RPS, e.g. netsapiens=5 (repeatable; vendors: "+strings.Join(sandbox.Vendors(), ", ")+")")
	f.DurationVar(&latency, "latency", 0, "latency added to every create and lookup, e.g. 200ms")
	f.Float64Var(&errRate, "error-rate", 0, "share of creates and lookups answered 503/500, 0 to 1")
	f.Float64Var(&lost, "lost-rate", 0, "share of creates stored and then left unanswered (connection closed), 0 to 1")
	f.Float64Var(&malformed, "malformed-rate", 0, "share of creates stored and answered with truncated JSON, 0 to 1")
	f.Uint64Var(&seed, "seed", 1, "seed of the fault injection and generated IDs")
	f.StringVar(&writeConfig, "write-config", "", "write an onboard config file for this sandbox to `FILE` (mode 0600)")
	f.BoolVar(&quiet, "quiet", false, "do not log each request to stderr")
	return cmd
}

// checkListen refuses an address other machines could reach, unless the
// user asked for it.
func checkListen(addr string, allowRemote bool) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || port == "" {
		return fmt.Errorf("--listen %q: must be host:port such as 127.0.0.1:8089", addr)
	}
	if allowRemote {
		return nil
	}
	if strings.EqualFold(host, "localhost") {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("--listen %q is not a loopback address: the sandbox accepts well-known credentials, so it listens on 127.0.0.1 unless you add --allow-remote", addr)
}

// parseRates reads --rate VENDOR=RPS values into per-vendor faults that
// otherwise match the global ones.
func parseRates(values []string, global sandbox.Faults) (map[string]sandbox.Faults, error) {
	out := make(map[string]sandbox.Faults)
	for _, v := range values {
		name, num, ok := strings.Cut(v, "=")
		name = strings.ToLower(strings.TrimSpace(name))
		rps, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
		if !ok || err != nil || rps < 0 {
			return nil, fmt.Errorf("--rate %q: must be VENDOR=REQUESTS_PER_SECOND such as netsapiens=5", v)
		}
		known := false
		for _, vendor := range sandbox.Vendors() {
			known = known || vendor == name
		}
		if !known {
			return nil, fmt.Errorf("--rate %q: unknown vendor %q; use one of %s", v, name, strings.Join(sandbox.Vendors(), ", "))
		}
		f := global
		f.Rate = rps
		out[name] = f
	}
	return out, nil
}

// describeFaults says in one line which faults are on.
func describeFaults(global sandbox.Faults, perVendor map[string]sandbox.Faults) string {
	var parts []string
	if global.Latency > 0 {
		parts = append(parts, "latency "+global.Latency.String())
	}
	for _, r := range []struct {
		name string
		v    float64
	}{{"5xx", global.ErrorRate}, {"lost", global.LostRate}, {"malformed", global.MalformedRate}} {
		if r.v > 0 {
			parts = append(parts, fmt.Sprintf("%s %g%%", r.name, r.v*100))
		}
	}
	for _, v := range sandbox.Vendors() {
		if f, ok := perVendor[v]; ok && f.Rate > 0 {
			parts = append(parts, fmt.Sprintf("%s %g req/s", v, f.Rate))
		}
	}
	return strings.Join(parts, ", ")
}

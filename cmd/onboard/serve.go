package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/onboard/onboard/internal/batch"
	"github.com/onboard/onboard/internal/config"
	"github.com/onboard/onboard/internal/hires"
	"github.com/onboard/onboard/internal/schedule"
	"github.com/onboard/onboard/internal/terminal"
	"github.com/onboard/onboard/internal/web"
	"github.com/onboard/onboard/internal/web/auth"
)

type serveFlags struct {
	listen, config, plan, data string
	tlsCert, tlsKey, logFormat string
	trustedProxies             []string
	sandbox                    bool
	maxUploadMB                int
	retention                  time.Duration

	// Read from the configuration by options, not flags: the schedules:
	// section and the folder the state and history live in.
	schedules []config.Schedule
	stateDir  string
}

func newServeCmd(io *terminal.IO) *cobra.Command {
	f := &serveFlags{}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the web page where HR uploads the new-hire sheet and IT creates the accounts",
		Long: `Serve runs onboard as a web application: HR signs in, downloads the new-hire
template, uploads the filled-in sheet and sees every problem by cell; IT previews
and creates the accounts and downloads the results. It uses the same pipeline
as 'onboard validate --plan' and 'onboard run --plan'.

People sign in as the users: of the configuration (add them with 'onboard user
add'), or through a reverse proxy such as oauth2-proxy (--trusted-proxy, with
the sso: role mapping of the configuration).

The schedules: of the configuration run inside the server: each one is an
'onboard inbox' pass over its folder at the times of its cron expression, in the
same queue and vendor limits as the runs started on the page. IT sees them on
the Schedules page (next run, last run and how it ended, Run now). A run missed
while the server was down runs once at start-up (catch_up: false to skip it).

State (batches, sessions, the audit log, each batch's run state and the
schedules' last runs) lives under --data, by default onboard-data next to the
configuration; every run is also recorded where 'onboard history' reads it.`,
		Example: `  onboard serve --sandbox
  onboard serve --config onboard.yaml --plan plan.yaml --listen 127.0.0.1:8080
  onboard serve --config onboard.yaml --plan plan.yaml --trusted-proxy 127.0.0.1/32`,
		Args: noArgs("onboard serve --sandbox"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runServe(cmd.Context(), io, f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.listen, "listen", "127.0.0.1:8080", "address to listen on, host:port")
	fl.StringVar(&f.config, "config", "", "configuration file: vendors, users: and sso: (with --sandbox only its users: and sso:)")
	fl.StringVar(&f.plan, "plan", "", "onboarding plan (YAML) HR sheets are read through (with --sandbox: the starter plan by default)")
	fl.StringVar(&f.data, "data", "", "directory of the server's state (default onboard-data next to the configuration)")
	fl.BoolVar(&f.sandbox, "sandbox", false, "create accounts at the built-in vendor simulators; with no users configured, make demo users hr and it")
	fl.StringArrayVar(&f.trustedProxies, "trusted-proxy", nil, "CIDR of a reverse proxy whose X-Forwarded-User/Email are believed (repeatable)")
	fl.StringVar(&f.tlsCert, "tls-cert", "", "TLS certificate file (PEM), to serve https directly")
	fl.StringVar(&f.tlsKey, "tls-key", "", "TLS private key file (PEM)")
	fl.IntVar(&f.maxUploadMB, "max-upload", 25, "largest upload accepted, in MB")
	fl.DurationVar(&f.retention, "credentials-retention", web.DefaultCredentialRetention, "how long a batch's generated passwords are kept after its run")
	fl.StringVar(&f.logFormat, "log-format", "", "log format: json or text (default json when stderr is not a terminal)")
	return cmd
}

func runServe(ctx context.Context, io *terminal.IO, f *serveFlags) error {
	if ctx == nil {
		ctx = context.Background()
	}
	opt, stop, err := f.options(ctx, io)
	if err != nil {
		return exitWith(exitUnusable, err)
	}
	defer stop()
	srv, err := web.New(opt)
	if err != nil {
		return exitWith(exitUnusable, err)
	}
	if f.sandbox && !srv.HasUsers() && len(opt.TrustedProxies) == 0 {
		if err := demoUsers(io, srv); err != nil {
			srv.Close()
			return exitWith(exitUnusable, err)
		}
	}
	if !srv.HasUsers() && len(opt.TrustedProxies) == 0 {
		srv.Close()
		return exitWith(exitUnusable, errors.New("no one can sign in: add a user with 'onboard user add NAME --role it', or give --trusted-proxy"))
	}
	sch, err := f.scheduler(io, srv, opt)
	if err != nil {
		srv.Close()
		return exitWith(exitUnusable, err)
	}
	ln, err := net.Listen("tcp", f.listen)
	if err != nil {
		srv.Close()
		return exitWith(exitUnusable, fmt.Errorf("--listen %s: %w (is something else listening there?)", f.listen, err))
	}
	return serveUntilDone(ctx, io, srv, sch, ln, f, opt.Logger)
}

// serveUntilDone serves until ctx ends (SIGINT/SIGTERM), then finishes
// requests in flight and leaves any run resumable.
func serveUntilDone(ctx context.Context, io *terminal.IO, srv *web.Server, sch *schedule.Scheduler, ln net.Listener, f *serveFlags, log *slog.Logger) error {
	runCtx, stopRuns := context.WithCancel(context.WithoutCancel(ctx))
	srv.Start(runCtx)
	sch.Start(runCtx)
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	scheme := "http"
	if f.tlsCert != "" {
		scheme = "https"
	}
	if w := listenWarning(f.listen, scheme == "https"); w != "" {
		fmt.Fprintln(io.ErrOut, w)
	}
	fmt.Fprintf(io.ErrOut, "onboard serve: open %s://%s in a browser (Ctrl-C to stop)\n", scheme, ln.Addr())
	log.Info("serving", "addr", ln.Addr().String(), "tls", scheme == "https")
	errc := make(chan error, 1)
	go func() {
		if scheme == "https" {
			errc <- hs.ServeTLS(ln, f.tlsCert, f.tlsKey)
		} else {
			errc <- hs.Serve(ln)
		}
	}()
	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-errc:
	}
	log.Info("stopping: finishing requests in flight; a run in progress stops resumably")
	stopRuns()
	shut, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	_ = hs.Shutdown(shut)
	sch.Wait()
	if err := srv.Close(); err != nil {
		log.Error("close the server state", "error", err)
	}
	if serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) {
		return exitWith(exitUnusable, fmt.Errorf("serve: %w", serveErr))
	}
	return nil
}

// options turns the flags into the server's options, starting the
// sandbox for --sandbox; stop ends it.
func (f *serveFlags) options(ctx context.Context, io *terminal.IO) (web.Options, func(), error) {
	stop := func() {}
	opt := web.Options{MaxUpload: int64(f.maxUploadMB) << 20, CredentialRetention: f.retention, Grace: 10 * time.Second,
		TLS: f.tlsCert != ""}
	if err := f.check(); err != nil {
		return opt, stop, err
	}
	opt.Logger = f.logger(io)
	for _, c := range f.trustedProxies {
		_, n, err := net.ParseCIDR(strings.TrimSpace(c))
		if err != nil {
			return opt, stop, fmt.Errorf("--trusted-proxy %q: must be an address range such as 127.0.0.1/32", c)
		}
		opt.TrustedProxies = append(opt.TrustedProxies, n)
	}
	cfgPath, err := f.loadConfig(ctx, io, &opt, &stop)
	if err != nil {
		return opt, stop, err
	}
	home := config.Home(cfgPath, nil)
	opt.DataDir = f.data
	if opt.DataDir == "" {
		opt.DataDir = filepath.Join(home, "onboard-data")
	}
	f.stateDir = filepath.Join(home, ".onboard-state") // as `onboard run` and `onboard inbox`: one history
	opt.HistoryDir = f.stateDir
	cfg, logger := opt.Config, opt.Logger
	opt.Notify = func(ctx context.Context, source, input string, res *batch.Result, runErr error) error {
		return sendNotifications(ctx, cfg, source, input, res, runErr, logger)
	}
	if opt.Plan, err = f.loadPlan(); err != nil {
		stop()
		return opt, func() {}, err
	}
	return opt, stop, nil
}

func (f *serveFlags) check() error {
	if (f.tlsCert == "") != (f.tlsKey == "") {
		return errors.New("--tls-cert and --tls-key go together")
	}
	if f.maxUploadMB < 1 || f.maxUploadMB > 1024 {
		return fmt.Errorf("--max-upload %d: give a size in MB from 1 to 1024", f.maxUploadMB)
	}
	if f.retention < time.Hour {
		return fmt.Errorf("--credentials-retention %s: keep them at least 1h", f.retention)
	}
	if f.logFormat != "" && f.logFormat != "json" && f.logFormat != "text" {
		return fmt.Errorf("--log-format must be json or text, not %q", f.logFormat)
	}
	if _, _, err := net.SplitHostPort(f.listen); err != nil {
		return fmt.Errorf("--listen %q: must be host:port such as 127.0.0.1:8080", f.listen)
	}
	return nil
}

// loadConfig reads the vendors and users; with --sandbox the vendors are
// the simulators and the file (when given or found) gives only users.
func (f *serveFlags) loadConfig(ctx context.Context, io *terminal.IO, opt *web.Options, stop *func()) (string, error) {
	path, discoverErr := config.Discover(f.config, nil)
	if f.sandbox {
		cfg, stopSandbox, err := startSandbox(ctx, io, false)
		if err != nil {
			return "", err
		}
		opt.Config, *stop = cfg, stopSandbox
		if discoverErr != nil {
			if f.config != "" {
				stopSandbox()
				return "", discoverErr
			}
			return "", nil
		}
		a, err := config.LoadAuth(path)
		if err == nil {
			f.schedules, err = config.LoadSchedules(path)
		}
		if err != nil {
			stopSandbox()
			return "", err
		}
		opt.Users, opt.SSO = a.Users, a.SSO
		return path, nil
	}
	if discoverErr != nil {
		return "", fmt.Errorf("%w\n(write one with 'onboard init', or try everything safely with --sandbox)", discoverErr)
	}
	cfg, err := config.Load(path)
	if err != nil {
		return "", err
	}
	for _, w := range cfg.Warnings() {
		fmt.Fprintln(io.ErrOut, "warning:", w)
	}
	opt.Config, opt.Users, opt.SSO = cfg, cfg.Users(), cfg.SSO()
	f.schedules = cfg.Schedules()
	return path, nil
}

// loadPlan reads --plan, or with --sandbox the starter plan.
func (f *serveFlags) loadPlan() (*hires.Plan, error) {
	if f.plan != "" {
		return hires.LoadPlan(f.plan)
	}
	if f.sandbox {
		return hires.ParsePlan(initPlan, "the starter plan")
	}
	return nil, errors.New("give the onboarding plan with --plan plan.yaml: HR's sheet is read through it (write a starter one with onboard init)")
}

func (f *serveFlags) logger(io *terminal.IO) *slog.Logger {
	format := f.logFormat
	if format == "" {
		format = "json"
		if io.ErrTTY {
			format = "text"
		}
	}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(io.ErrOut, nil))
	}
	return slog.New(slog.NewTextHandler(io.ErrOut, nil))
}

// demoUsers adds an hr and an it user with one-time passwords, shown once.
func demoUsers(io *terminal.IO, srv *web.Server) error {
	fmt.Fprintln(io.Out, "Demo users for this sandbox session (the passwords are shown only now and last until the server stops):")
	for _, u := range []struct {
		name string
		role auth.Role
	}{{"hr", auth.HR}, {"it", auth.IT}} {
		pw := auth.RandomPassword(16)
		hash, err := auth.HashPassword(pw)
		if err != nil {
			return err
		}
		srv.AddUser(u.name, u.role, hash)
		fmt.Fprintf(io.Out, "  %-3s password %s\n", u.name, pw)
	}
	return nil
}

// listenWarning warns when other machines can reach the server without
// TLS; "" when the address is loopback or TLS is on.
func listenWarning(listen string, tls bool) string {
	host, _, _ := net.SplitHostPort(listen)
	if tls || host == "localhost" || (host != "" && config.IsLoopback(host)) {
		return ""
	}
	return fmt.Sprintf("warning: %s can be reached from other machines without TLS: passwords and sheets cross the network in clear; give --tls-cert and --tls-key or put a TLS proxy in front", listen)
}

package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"

	"github.com/onboard/onboard/internal/connector"
	"github.com/onboard/onboard/internal/terminal"
)

// version is set at build time with -ldflags "-X main.version=..." (the
// Makefile passes `git describe --always --dirty`). When it is empty the
// version comes from the build information Go embeds in the binary.
var version string

// buildVersion is what `onboard version` and `onboard --version` report.
//
// The line they print is
//
//	onboard VERSION (commit REVISION[-dirty], COMMIT-TIME, GO-VERSION)
//
// for example
//
//	onboard v1.4.0 (commit 1a2e7d409c91, 2026-11-23T12:15:23Z, go1.26.8)
//	onboard v0.0.0-20261123121523-1a2e7d409c91+dirty (commit 1a2e7d409c91-dirty, 2026-11-23T12:15:23Z, go1.26.8)
//
// VERSION is, in order: the -ldflags value; the module version Go stamps
// from the checkout's tag or commit (a pseudo-version between tags,
// "+dirty" when files were changed); the short commit with "-dirty";
// or "dev" when the binary carries no version information at all (built
// with -buildvcs=false and no -ldflags). The commit part is left out when
// the binary was built outside a git checkout.
type buildVersion struct {
	Version   string // the version proper, also sent in the User-Agent
	Revision  string // commit hash, shortened to 12 characters
	Time      string // commit time, RFC 3339
	Modified  bool   // the checkout had uncommitted changes
	GoVersion string
}

// currentVersion reads the running binary's version.
func currentVersion() buildVersion {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		bi = nil
	}
	return readVersion(version, bi)
}

// readVersion works out the version from the -ldflags value and the
// embedded build information (nil when there is none).
func readVersion(ldflags string, bi *debug.BuildInfo) buildVersion {
	v := buildVersion{Version: strings.TrimSpace(ldflags), GoVersion: runtime.Version()}
	if bi == nil {
		if v.Version == "" {
			v.Version = "dev"
		}
		return v
	}
	if bi.GoVersion != "" {
		v.GoVersion = bi.GoVersion
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			v.Revision = s.Value
			if len(v.Revision) > 12 {
				v.Revision = v.Revision[:12]
			}
		case "vcs.time":
			v.Time = s.Value
		case "vcs.modified":
			v.Modified = s.Value == "true"
		}
	}
	if v.Version != "" {
		return v
	}
	switch {
	case bi.Main.Version != "" && bi.Main.Version != "(devel)":
		v.Version = bi.Main.Version
	case v.Revision != "":
		v.Version = v.commit()
	default:
		v.Version = "dev"
	}
	return v
}

// commit is the short revision with "-dirty" when files were changed.
func (v buildVersion) commit() string {
	if v.Modified {
		return v.Revision + "-dirty"
	}
	return v.Revision
}

// details is the part of the version line in parentheses.
func (v buildVersion) details() string {
	var parts []string
	if v.Revision != "" {
		parts = append(parts, "commit "+v.commit())
	}
	if v.Time != "" {
		parts = append(parts, v.Time)
	}
	if v.GoVersion != "" {
		parts = append(parts, v.GoVersion)
	}
	return strings.Join(parts, ", ")
}

// String is the version line without the leading "onboard ".
func (v buildVersion) String() string {
	if d := v.details(); d != "" {
		return v.Version + " (" + d + ")"
	}
	return v.Version
}

// The User-Agent of every vendor request carries the same version.
func init() { connector.Version = currentVersion().Version }

func newVersionCmd(io *terminal.IO) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version, commit and Go version onboard was built from",
		Long: "Print one line: onboard VERSION (commit REVISION[-dirty], COMMIT-TIME, GO-VERSION).\n" +
			"Same as 'onboard --version'. Quote it when reporting a problem.",
		Args: noArgs("onboard version"),
		RunE: func(cmd *cobra.Command, args []string) error {
			_, err := fmt.Fprintln(io.Out, "onboard "+currentVersion().String())
			return err
		},
	}
}

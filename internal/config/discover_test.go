package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// places builds the four places Discover may find a file, in a temporary
// tree, and returns them with an environment naming them.
type places struct {
	flag, env, cwd, xdg, home string // files (xdg under XDG_CONFIG_HOME, home under ~/.config)
	vars                      map[string]string
}

func newPlaces(t *testing.T) *places {
	root := t.TempDir()
	p := &places{
		flag: filepath.Join(root, "flag", "given.yaml"),
		env:  filepath.Join(root, "env", "from-env.yaml"),
		cwd:  filepath.Join(root, "work", FileName),
		xdg:  filepath.Join(root, "xdg", "onboard", FileName),
		home: filepath.Join(root, "home", ".config", "onboard", FileName),
	}
	p.vars = map[string]string{"XDG_CONFIG_HOME": filepath.Join(root, "xdg"), "HOME": filepath.Join(root, "home")}
	if err := os.MkdirAll(filepath.Dir(p.cwd), 0o700); err != nil {
		t.Fatal(err)
	}
	t.Chdir(filepath.Dir(p.cwd))
	return p
}

func (p *places) getenv(k string) string { return p.vars[k] }

func write(t *testing.T, path string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("vendors: {}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestDiscoverOrder tries every combination of the four places holding a
// file (and the flag given or not): the first in order always wins.
func TestDiscoverOrder(t *testing.T) {
	for mask := 0; mask < 32; mask++ {
		flagGiven, envSet := mask&1 != 0, mask&2 != 0
		inCwd, inXDG, inHome := mask&4 != 0, mask&8 != 0, mask&16 != 0
		t.Run(strings.Join([]string{b(flagGiven, "flag"), b(envSet, "env"), b(inCwd, "cwd"), b(inXDG, "xdg"), b(inHome, "home")}, ","), func(t *testing.T) {
			p := newPlaces(t)
			flag := ""
			if flagGiven {
				flag = p.flag // used as given, even though it does not exist
			}
			if envSet {
				write(t, p.env)
				p.vars[EnvConfig] = p.env
			}
			if inCwd {
				write(t, p.cwd)
			}
			if inXDG {
				write(t, p.xdg)
			}
			if inHome {
				write(t, p.home)
			}
			var want string
			switch {
			case flagGiven:
				want = p.flag
			case envSet:
				want = p.env
			case inCwd:
				want = FileName
			case inXDG:
				want = p.xdg
			}
			got, err := Discover(flag, p.getenv)
			if want == "" {
				// ~/.config is not looked at while XDG_CONFIG_HOME is set.
				if err == nil {
					t.Fatalf("found %s, want an error", got)
				}
				return
			}
			if err != nil || got != want {
				t.Errorf("Discover = %q, %v; want %q", got, err, want)
			}
		})
	}
}

func b(on bool, name string) string {
	if on {
		return name
	}
	return "-"
}

func TestDiscoverHomeWithoutXDG(t *testing.T) {
	p := newPlaces(t)
	delete(p.vars, "XDG_CONFIG_HOME")
	write(t, p.home)
	write(t, p.xdg) // not looked at without XDG_CONFIG_HOME
	if got, err := Discover("", p.getenv); err != nil || got != p.home {
		t.Errorf("Discover = %q, %v; want %q", got, err, p.home)
	}
	// A relative XDG_CONFIG_HOME is ignored, as the XDG spec says.
	p.vars["XDG_CONFIG_HOME"] = "relative/dir"
	if got, err := Discover("", p.getenv); err != nil || got != p.home {
		t.Errorf("relative XDG: Discover = %q, %v; want %q", got, err, p.home)
	}
	write(t, p.cwd)
	if got, _ := Discover("", p.getenv); got != FileName {
		t.Errorf("./onboard.yaml should win over ~/.config: got %q", got)
	}
}

func TestDiscoverNothingFound(t *testing.T) {
	p := newPlaces(t)
	_, err := Discover("", p.getenv)
	if !errors.Is(err, ErrNoConfig) {
		t.Fatalf("err = %v, want ErrNoConfig", err)
	}
	var ce *Error
	if !errors.As(err, &ce) {
		t.Fatalf("%T is not a *Error", err)
	}
	for _, w := range []string{"no configuration file found", "--config", EnvConfig, "./" + FileName, p.xdg, "onboard init"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("%q lacks %q", err, w)
		}
	}
	// Without HOME or XDG_CONFIG_HOME only the working directory is looked at.
	if _, err := Discover("", func(string) string { return "" }); err == nil || strings.Contains(err.Error(), ".config") {
		t.Errorf("no HOME: %v", err)
	}
}

func TestDiscoverEnvMissing(t *testing.T) {
	p := newPlaces(t)
	write(t, p.cwd)
	p.vars[EnvConfig] = filepath.Join(t.TempDir(), "nope.yaml")
	_, err := Discover("", p.getenv)
	if err == nil || !strings.Contains(err.Error(), "ONBOARD_CONFIG names this file, but it cannot be read: it does not exist") ||
		!strings.Contains(err.Error(), "nope.yaml") {
		t.Errorf("err = %v; a set variable naming no file must not fall through to ./onboard.yaml", err)
	}
}

func TestHome(t *testing.T) {
	root := t.TempDir()
	cfg := filepath.Join(root, "etc", FileName)
	env := map[string]string{}
	getenv := func(k string) string { return env[k] }
	if got := Home(cfg, getenv); got != filepath.Join(root, "etc") {
		t.Errorf("Home(config) = %q", got)
	}
	env[EnvHome] = filepath.Join(root, "var")
	if got := Home(cfg, getenv); got != filepath.Join(root, "var") {
		t.Errorf("ONBOARD_HOME: Home = %q", got)
	}
	if got := Home("", getenv); got != filepath.Join(root, "var") {
		t.Errorf("ONBOARD_HOME without config: Home = %q", got)
	}
	delete(env, EnvHome)
	t.Chdir(root)
	if got := Home("", getenv); got != root {
		t.Errorf("no config: Home = %q, want the working directory %q", got, root)
	}
	if got := Home(FileName, getenv); got != root {
		t.Errorf("relative config: Home = %q, want %q (absolute)", got, root)
	}
}

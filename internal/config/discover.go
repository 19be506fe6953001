package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// FileName is the configuration file's name in every place Discover looks.
const FileName = "onboard.yaml"

// Environment variables that say where the configuration and the run's
// files are.
const (
	EnvConfig = "ONBOARD_CONFIG" // the configuration file
	EnvHome   = "ONBOARD_HOME"   // where state and reports go
)

// ErrNoConfig is wrapped by Discover's error when no file was found.
var ErrNoConfig = errors.New("no configuration file found")

// Discover returns the configuration file to use, looking in order at:
// flag (the --config value), the ONBOARD_CONFIG variable, ./onboard.yaml,
// and the user's config directory ($XDG_CONFIG_HOME/onboard/onboard.yaml,
// else ~/.config/onboard/onboard.yaml). The first two are used as given
// (a missing file is reported by Load, or here for the variable); the
// others only when the file exists. getenv nil means os.Getenv. When
// nothing is found, the *Error names every place looked.
func Discover(flag string, getenv func(string) string) (string, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	if flag != "" {
		return flag, nil
	}
	if env := getenv(EnvConfig); env != "" {
		if _, err := os.Stat(env); err != nil {
			return "", &Error{Source: env, Msg: fmt.Sprintf("%s names this file, but it cannot be read: %v", EnvConfig, statWords(err)),
				Fix: "correct " + EnvConfig + " or unset it", Err: err}
		}
		return env, nil
	}
	places := searchPath(getenv)
	for _, p := range places {
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			return p, nil
		}
	}
	shown := append([]string{"." + string(filepath.Separator) + FileName}, places[1:]...)
	return "", &Error{Msg: "no configuration file found; looked at --config, " + EnvConfig + ", " + strings.Join(shown, ", "),
		Fix: "run onboard init to write one, pass --config FILE, or try --sandbox", Err: ErrNoConfig}
}

// searchPath lists the files Discover looks for after the flag and the
// variable, in order.
func searchPath(getenv func(string) string) []string {
	places := []string{FileName}
	if xdg := getenv("XDG_CONFIG_HOME"); xdg != "" && filepath.IsAbs(xdg) {
		places = append(places, filepath.Join(xdg, "onboard", FileName))
	} else if home := getenv("HOME"); home != "" {
		places = append(places, filepath.Join(home, ".config", "onboard", FileName))
	}
	return places
}

// Home returns the directory where state and reports go by default, so a
// scheduled run lands in the same place whatever its working directory:
// ONBOARD_HOME when set, else the directory of the configuration file cfgPath,
// else (no file, as with --sandbox) the working directory ".". getenv nil
// means os.Getenv. The path is absolute when it can be made so.
func Home(cfgPath string, getenv func(string) string) string {
	if getenv == nil {
		getenv = os.Getenv
	}
	dir := "."
	switch {
	case getenv(EnvHome) != "":
		dir = getenv(EnvHome)
	case cfgPath != "":
		dir = filepath.Dir(cfgPath)
	}
	if abs, err := filepath.Abs(dir); err == nil {
		return abs
	}
	return dir
}

func statWords(err error) string {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "it does not exist"
	case errors.Is(err, fs.ErrPermission):
		return "permission denied"
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

package main

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/onboard/onboard/internal/config"
	"github.com/onboard/onboard/internal/terminal"
	"github.com/onboard/onboard/internal/web/auth"
)

func newUserCmd(io *terminal.IO) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "user",
		Short: "Manage the people who may sign in to onboard serve",
	}
	cmd.AddCommand(newUserAddCmd(io), newUserListCmd(io), newUserRemoveCmd(io))
	return cmd
}

// restartNote says when a change to users: takes effect.
const restartNote = "restart onboard serve if it is running: it reads its users when it starts"

// userConfigPath is the file `onboard user` changes: --config, else the
// discovered configuration, else ./onboard.yaml.
func userConfigPath(flag string) string {
	if flag != "" {
		return flag
	}
	if found, err := config.Discover("", nil); err == nil {
		return found
	}
	return config.FileName
}

func newUserListCmd(io *terminal.IO) *cobra.Command {
	var cfgFlag string
	cmd := &cobra.Command{
		Use:     "list",
		Short:   "List the users of the configuration's users: section and their roles (never their hashes)",
		Example: "  onboard user list --config /etc/onboard/onboard.yaml",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			path := userConfigPath(cfgFlag)
			a, err := config.LoadAuth(path)
			if err != nil {
				return exitWith(exitUnusable, err)
			}
			if len(a.Users) == 0 {
				fmt.Fprintf(io.ErrOut, "%s has no users: add one with onboard user add NAME --role hr|it|admin\n", path)
				return nil
			}
			for _, u := range a.Users {
				role, _ := auth.ParseRole(u.Role)
				fmt.Fprintf(io.Out, "%s\t%s\n", u.Name, role.Label())
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&cfgFlag, "config", "", "configuration file to read (default: discovered, else ./onboard.yaml)")
	return cmd
}

func newUserRemoveCmd(io *terminal.IO) *cobra.Command {
	var cfgFlag string
	cmd := &cobra.Command{
		Use:     "remove NAME",
		Short:   "Remove a user from the configuration's users: section",
		Example: "  onboard user remove ana --config /etc/onboard/onboard.yaml",
		Args:    needInput("the user's name", "onboard user remove ana"),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := strings.ToLower(strings.TrimSpace(args[0]))
			path := userConfigPath(cfgFlag)
			if err := config.RemoveUser(path, name); err != nil {
				return exitWith(exitUnusable, err)
			}
			fmt.Fprintf(io.ErrOut, "%s can no longer sign in; %s\n", name, restartNote)
			return nil
		},
	}
	cmd.Flags().StringVar(&cfgFlag, "config", "", "configuration file to change (default: discovered, else ./onboard.yaml)")
	return cmd
}

func newUserAddCmd(io *terminal.IO) *cobra.Command {
	var cfgFlag, roleFlag string
	var fromStdin bool
	cmd := &cobra.Command{
		Use:   "add NAME",
		Short: "Add a user (or change their role and password) in the configuration's users: section",
		Long: `Add writes NAME's role and the argon2id hash of their password to the users:
section of the configuration; the password itself is never written. It asks for
the password twice on a terminal; --password-stdin reads one line from stdin
instead, for scripts.

Roles: hr (upload, check, request creation, see their own batches), it (also
run, cancel and download generated passwords), admin (also the audit log).`,
		Example: `  onboard user add ana --role hr
  printf '%s\n' "$PASSWORD" | onboard user add it-bot --role it --password-stdin --config onboard.yaml`,
		Args: needInput("the user's name", "onboard user add ana --role hr"),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := strings.ToLower(strings.TrimSpace(args[0]))
			if err := config.CheckUserName(name); err != nil {
				return exitWith(exitUnusable, err)
			}
			role, err := auth.ParseRole(roleFlag)
			if err != nil {
				return exitWith(exitUnusable, fmt.Errorf("--role: %w", err))
			}
			path := userConfigPath(cfgFlag)
			pw, err := readNewPassword(io, fromStdin)
			if err != nil {
				return exitWith(exitUnusable, err)
			}
			hash, err := auth.HashPassword(pw)
			if err != nil {
				return exitWith(exitUnusable, err)
			}
			if err := config.AddUser(path, name, string(role), hash); err != nil {
				return exitWith(exitUnusable, err)
			}
			fmt.Fprintf(io.ErrOut, "%s can now sign in as %s (role %s); only the password's hash is in %s; %s\n", name, name, role.Label(), path, restartNote)
			return nil
		},
	}
	cmd.Flags().StringVar(&cfgFlag, "config", "", "configuration file to change (default: discovered, else ./onboard.yaml)")
	cmd.Flags().StringVar(&roleFlag, "role", "", "hr, it or admin")
	cmd.Flags().BoolVar(&fromStdin, "password-stdin", false, "read the password as one line from stdin")
	_ = cmd.MarkFlagRequired("role")
	return cmd
}

// readNewPassword reads the password from stdin (one line) or asks twice
// on the terminal, without echo.
func readNewPassword(io *terminal.IO, fromStdin bool) (string, error) {
	var pw string
	switch {
	case fromStdin:
		line, err := bufio.NewReader(io.In).ReadString('\n')
		if err != nil && line == "" {
			return "", errors.New("--password-stdin: no password on stdin")
		}
		pw = strings.TrimRight(line, "\r\n")
	case io.CanPrompt():
		f, ok := io.In.(*os.File)
		if !ok {
			return "", errors.New("cannot ask for the password here: use --password-stdin")
		}
		fmt.Fprint(io.ErrOut, "Password: ")
		a, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(io.ErrOut)
		if err != nil {
			return "", fmt.Errorf("read the password: %w", err)
		}
		fmt.Fprint(io.ErrOut, "Again: ")
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(io.ErrOut)
		if err != nil {
			return "", fmt.Errorf("read the password: %w", err)
		}
		if string(a) != string(b) {
			return "", errors.New("the two passwords differ; nothing was changed")
		}
		pw = string(a)
	default:
		return "", errors.New("not at a terminal: give the password on stdin with --password-stdin")
	}
	if len([]rune(pw)) < auth.MinPasswordLen {
		return "", fmt.Errorf("the password is too short: use at least %d characters", auth.MinPasswordLen)
	}
	return pw, nil
}

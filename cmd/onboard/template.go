package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/onboard/onboard/internal/hires"
	"github.com/onboard/onboard/internal/templates"
	"github.com/onboard/onboard/internal/terminal"
)

func newTemplateCmd(io *terminal.IO) *cobra.Command {
	var out, planPath string
	var force, hr bool
	cmd := &cobra.Command{
		Use:   "template [TARGET...]",
		Short: "Write an input workbook to fill in: one sheet per target, with drop-downs and range checks",
		Long: "Write an .xlsx workbook to fill in: an Instructions sheet, then one sheet per target\n" +
			"(all targets, or only those named by ID, vendor or sheet name) with required columns\n" +
			"marked *, drop-down lists, whole-number range checks, help on every column and an\n" +
			"example row. Run 'onboard targets' to list the targets.",
		Example: "  onboard template\n  onboard template netsapiens.user acefone.user -o march-hires.xlsx\n" +
			"  onboard template --hires --plan samples/plan.yaml -o new-hires.xlsx",
		RunE: func(cmd *cobra.Command, args []string) error {
			if hr && !cmd.Flags().Changed("output") {
				out = "new-hires-template.xlsx"
			}
			if !force {
				if _, err := os.Stat(out); err == nil {
					return exitWith(exitUnusable, fmt.Errorf("%s already exists; it may hold filled-in rows. Choose another name with -o, or pass --force to overwrite it", out))
				} else if !errors.Is(err, fs.ErrNotExist) {
					return exitWith(exitUnusable, fmt.Errorf("%s: %w", out, err))
				}
			}
			if hr {
				return writeHRTemplate(io, out, planPath, len(args) > 0)
			}
			targets, err := templates.Select(args)
			if err != nil {
				return exitWith(exitUnusable, err)
			}
			if err := templates.WriteFile(out, targets); err != nil {
				return exitWith(exitUnusable, err)
			}
			labels := make([]string, len(targets))
			for i, t := range targets {
				labels[i] = t.Label
			}
			fmt.Fprintf(io.ErrOut, "Wrote %s with sheets: %s\n", out, strings.Join(labels, ", "))
			return nil
		},
	}
	cmd.Flags().StringVarP(&out, "output", "o", templates.DefaultFileName, "path of the workbook to write")
	cmd.Flags().BoolVar(&force, "force", false, "overwrite the output file if it exists")
	cmd.Flags().BoolVar(&hr, "hires", false, "write the HR new-hire template (one row per person) for the plan given with --plan")
	cmd.Flags().StringVar(&planPath, "plan", "", "onboarding plan (YAML) whose roles and offices fill the HR template's drop-downs")
	return cmd
}

// writeHRTemplate writes the HR new-hire workbook for a plan.
func writeHRTemplate(io *terminal.IO, out, planPath string, withTargets bool) error {
	if withTargets {
		return exitWith(exitUnusable, errors.New("--hires writes one sheet for people; it takes no TARGET arguments"))
	}
	if planPath == "" {
		return exitWith(exitUnusable, errors.New("--hires needs --plan FILE: the plan's roles fill the Role drop-down (see samples/plan.yaml)"))
	}
	p, err := hires.LoadPlan(planPath)
	if err != nil {
		return exitWith(exitUnusable, err)
	}
	f, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return exitWith(exitUnusable, fmt.Errorf("write %s: %w", out, err))
	}
	if err := hires.WriteTemplate(f, p); err != nil {
		f.Close()
		return exitWith(exitUnusable, fmt.Errorf("write %s: %w", out, err))
	}
	if err := f.Close(); err != nil {
		return exitWith(exitUnusable, fmt.Errorf("write %s: %w", out, err))
	}
	fmt.Fprintf(io.ErrOut, "Wrote %s: the New Hires sheet for HR, with an Instructions sheet\n", out)
	return nil
}

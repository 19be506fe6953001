package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/onboard/onboard/internal/templates"
	"github.com/onboard/onboard/internal/terminal"
)

func init() { commands = append(commands, newTemplateCmd) }

func newTemplateCmd(io *terminal.IO) *cobra.Command {
	var out string
	var force bool
	cmd := &cobra.Command{
		Use:   "template [TARGET...]",
		Short: "Write an input workbook to fill in: one sheet per target, with drop-downs and range checks",
		Long: "Write an .xlsx workbook to fill in: an Instructions sheet, then one sheet per target\n" +
			"(all targets, or only those named by ID, vendor or sheet name) with required columns\n" +
			"marked *, drop-down lists, whole-number range checks, help on every column and an\n" +
			"example row. Run 'onboard targets' to list the targets.",
		Example: "  onboard template\n  onboard template netsapiens.user acefone.user -o march-hires.xlsx",
		RunE: func(cmd *cobra.Command, args []string) error {
			targets, err := templates.Select(args)
			if err != nil {
				return exitWith(exitUnusable, err)
			}
			if !force {
				if _, err := os.Stat(out); err == nil {
					return exitWith(exitUnusable, fmt.Errorf("%s already exists; it may hold filled-in rows. Choose another name with -o, or pass --force to overwrite it", out))
				} else if !errors.Is(err, fs.ErrNotExist) {
					return exitWith(exitUnusable, fmt.Errorf("%s: %w", out, err))
				}
			}
			if err := templates.WriteFile(out, targets); err != nil {
				return exitWith(exitUnusable, err)
			}
			labels := make([]string, len(targets))
			for i, t := range targets {
				labels[i] = t.Label
			}
			fmt.Fprintf(io.Out, "Wrote %s with sheets: %s\n", out, strings.Join(labels, ", "))
			return nil
		},
	}
	cmd.Flags().StringVarP(&out, "output", "o", templates.DefaultFileName, "path of the workbook to write")
	cmd.Flags().BoolVar(&force, "force", false, "overwrite the output file if it exists")
	return cmd
}

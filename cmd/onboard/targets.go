package main

import (
	"errors"

	"github.com/spf13/cobra"

	"github.com/onboard/onboard/internal/templates"
	"github.com/onboard/onboard/internal/terminal"
)

func newTargetsCmd(io *terminal.IO) *cobra.Command {
	var asJSON, asMarkdown bool
	cmd := &cobra.Command{
		Use:   "targets [TARGET...]",
		Short: "List the targets and their columns: type, required, rule, default, help, example",
		Long: "List every target (or those named by ID, vendor or sheet name) with its sheet name,\n" +
			"vendor operation and columns. --json prints the same for scripts; --markdown prints\n" +
			"the reference page kept in docs/targets.md.",
		RunE: func(cmd *cobra.Command, args []string) error {
			if asJSON && asMarkdown {
				return exitWith(exitUnusable, errors.New("--json and --markdown cannot be used together; pick one"))
			}
			targets, err := templates.Select(args)
			if err != nil {
				return exitWith(exitUnusable, err)
			}
			switch {
			case asJSON:
				err = templates.WriteJSON(io.Out, targets)
			case asMarkdown:
				err = templates.WriteMarkdown(io.Out, targets)
			default:
				err = templates.WriteText(io.Out, targets)
			}
			return err
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the targets as JSON")
	cmd.Flags().BoolVar(&asMarkdown, "markdown", false, "print the targets as Markdown (docs/targets.md)")
	return cmd
}

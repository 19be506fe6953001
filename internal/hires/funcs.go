package hires

import (
	"strings"
	"text/template"
	"unicode"

	"golang.org/x/text/cases"
	"golang.org/x/text/language"
)

// TemplateFuncs are the functions a plan's templates may call, besides
// text/template's own:
//
//	lower, upper   change case                 {{lower .FirstName}}
//	title          capitalise each word        {{title .JobTitle}}
//	localpart      email before the @          {{localpart .WorkEmail}}
//	initials       first letter of each word   {{initials .FirstName .LastName}} → JS
//	digits         the digits only             {{digits .Mobile}}
//	ascii          accents removed (José → Jose) {{ascii (lower .FirstName)}}
func TemplateFuncs() template.FuncMap {
	return template.FuncMap{
		"lower":     strings.ToLower,
		"upper":     strings.ToUpper,
		"title":     titleCase,
		"localpart": localPart,
		"initials":  initials,
		"digits":    digitsOnly,
		"ascii":     FoldLatin,
	}
}

func titleCase(s string) string {
	return cases.Title(language.Und).String(s)
}

// initials returns the upper-case first letter of every word of its
// arguments; words are separated by spaces or hyphens.
func initials(parts ...string) string {
	var b strings.Builder
	for _, p := range parts {
		for _, w := range strings.FieldsFunc(p, func(r rune) bool { return unicode.IsSpace(r) || r == '-' }) {
			for _, r := range w {
				if unicode.IsLetter(r) {
					b.WriteRune(unicode.ToUpper(r))
					break
				}
			}
		}
	}
	return b.String()
}

func digitsOnly(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

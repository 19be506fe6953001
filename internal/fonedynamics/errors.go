package fonedynamics

import (
	"fmt"
	"strings"

	"github.com/onboard/onboard/internal/connector/httpcall"
)

// vendorError is what a Fone Dynamics error answer says.
//
// The vendor's official C# and Java SDKs read errors in the ServiceStack
// shape:
//
//	{"ResponseStatus": {"ErrorCode": "...", "Message": "...",
//	  "Errors": [{"ErrorCode": "...", "FieldName": "...", "Message": "..."}]}}
//
// The older shapes the client read before — a top-level Message/Code, or
// an Error object (or string) holding them — are still accepted. The
// vendor's "REST API Error Codes" page is not among the sources, so no
// code is given a meaning: codes are only shown.
type vendorError struct {
	Code    string
	Message string
	Fields  []fieldError // ResponseStatus.Errors, in the vendor's order
	// Read says the body was a JSON object in one of the shapes above
	// with a code or a message: a well-formed refusal.
	Read bool
}

// fieldError is one entry of ResponseStatus.Errors.
type fieldError struct {
	Code, Field, Message string
}

var (
	msgKeys  = []string{"Message", "ErrorMessage", "Error_Description", "Detail", "Title"}
	codeKeys = []string{"ErrorCode", "Code"}
)

// readError reads an error answer body. Read is false when the body is
// not JSON, is cut short, or says nothing in a known shape.
func readError(resp *httpcall.Response) vendorError {
	if resp.BodyErr != nil {
		return vendorError{}
	}
	obj, err := httpcall.DecodeObject(resp.Body)
	if err != nil {
		return vendorError{}
	}
	var e vendorError
	if rs, ok := httpcall.Field(obj, "ResponseStatus"); ok {
		if m, ok := rs.(map[string]any); ok {
			e.Code, e.Message = httpcall.FieldText(m, codeKeys...), httpcall.FieldText(m, msgKeys...)
			e.Fields = fieldErrors(m)
		}
	}
	if e.Message == "" {
		e.Message = httpcall.FieldText(obj, msgKeys...)
	}
	if e.Code == "" {
		e.Code = httpcall.FieldText(obj, codeKeys...)
	}
	if inner, ok := httpcall.Field(obj, "Error"); ok {
		switch x := inner.(type) {
		case map[string]any:
			if e.Message == "" {
				e.Message = httpcall.FieldText(x, msgKeys...)
			}
			if e.Code == "" {
				e.Code = httpcall.FieldText(x, codeKeys...)
			}
		case string:
			if e.Message == "" {
				e.Message = x
			}
		}
	}
	e.Read = e.Message != "" || e.Code != "" || len(e.Fields) > 0
	return e
}

// fieldErrors reads ResponseStatus.Errors, skipping entries that say
// nothing.
func fieldErrors(rs map[string]any) []fieldError {
	list, _ := httpcall.Field(rs, "Errors")
	items, _ := list.([]any)
	var out []fieldError
	for _, it := range items {
		m, ok := it.(map[string]any)
		if !ok {
			continue
		}
		fe := fieldError{Code: httpcall.FieldText(m, codeKeys...), Field: httpcall.FieldText(m, "FieldName"),
			Message: httpcall.FieldText(m, msgKeys...)}
		if fe.Code != "" || fe.Field != "" || fe.Message != "" {
			out = append(out, fe)
		}
	}
	return out
}

// Text renders the vendor's words: its message with its error code, then
// the field errors the message does not already say; "" when it said
// nothing.
func (e vendorError) Text() string {
	msg := e.Message
	for _, f := range e.Fields {
		s := f.Message
		if s == "" {
			s = strings.TrimSpace(f.Field + " " + f.Code)
		} else if f.Field != "" && !strings.Contains(s, f.Field) {
			s = f.Field + ": " + s
		}
		switch {
		case s == "" || (f.Message != "" && strings.Contains(msg, f.Message)):
		case msg == "":
			msg = s
		default:
			msg += "; " + s
		}
	}
	switch {
	case msg == "":
		return e.Code
	case e.Code != "" && e.Code != msg:
		return fmt.Sprintf("%s (error code %s)", msg, e.Code)
	}
	return msg
}

// FieldValidation reports whether the refusal is, with certainty, about
// the values of fields and not about the login already existing: every
// entry of ResponseStatus.Errors names a field of the login other than
// Email (the login's user name, the only value that must be unique), and
// there is at least one. Anything else may mean "exists" and is settled
// by a lookup.
func (e vendorError) FieldValidation() bool {
	if len(e.Fields) == 0 {
		return false
	}
	for _, f := range e.Fields {
		if !otherField(f.Field) {
			return false
		}
	}
	return true
}

// otherField reports whether name is the wire key of a login field other
// than Email, ignoring case.
func otherField(name string) bool {
	name = strings.TrimSpace(name)
	for _, f := range Login.Fields {
		if strings.EqualFold(f.Key, name) {
			return f.Key != "Email"
		}
	}
	return false
}

// vendorText is the vendor's words in an error answer: readError's Text,
// or an excerpt of a text body; "" when it said nothing readable.
func vendorText(resp *httpcall.Response) string {
	if e := readError(resp); e.Read {
		return e.Text()
	}
	return httpcall.Snippet(resp.Body)
}

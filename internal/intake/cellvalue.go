package intake

// Turning a stored cell value into the text a person typed or sees.

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
	"github.com/xuri/nfp"
)

// numberFormat is what intake needs to know about a cell's number format.
type numberFormat struct {
	kind    formatKind
	zeroPad int // for padKind: the minimum number of digits shown
}

type formatKind uint8

const (
	plainKind   formatKind = iota // General, text, decimals, currency, percent…: the stored number
	padKind                       // "0000", "000-00-0000": digits zero-padded to zeroPad
	dateKind                      // has a date part (and maybe a time)
	timeKind                      // time of day only: h:mm, mm:ss
	elapsedKind                   // elapsed time: [h]:mm:ss
)

// builtInFormat classifies Excel's built-in number format IDs (ECMA-376
// 18.8.30 and the East Asian and Thai locale IDs). Unlisted IDs are plain.
func builtInFormat(id int) numberFormat {
	switch {
	case id >= 14 && id <= 17, id == 22, id >= 27 && id <= 31, id == 36, id >= 50 && id <= 58,
		id >= 71 && id <= 76, id == 81:
		return numberFormat{kind: dateKind}
	case id >= 18 && id <= 21, id == 45, id == 47, id >= 32 && id <= 35, id >= 77 && id <= 80:
		return numberFormat{kind: timeKind}
	case id == 46:
		return numberFormat{kind: elapsedKind}
	}
	return numberFormat{kind: plainKind}
}

// customFormat classifies a custom number format code by its first section
// (the one used for positive numbers and, usually, zero).
func customFormat(code string) numberFormat {
	parser := nfp.NumberFormatParser()
	sections := parser.Parse(code)
	if len(sections) == 0 || sections[0].Type == nfp.TokenSectionText {
		return numberFormat{kind: plainKind}
	}
	first := sections[0]
	var date, hourOrSecond, month, elapsed, other bool
	zeros := 0
	for _, tok := range first.Items {
		switch tok.TType {
		case nfp.TokenTypeGeneral:
			return numberFormat{kind: plainKind}
		case nfp.TokenTypeElapsedDateTimes:
			elapsed = true
		case nfp.TokenTypeDateTimes:
			v := strings.ToLower(tok.TValue)
			switch {
			case strings.ContainsAny(v, "ydebg"):
				date = true
			case strings.ContainsAny(v, "hs") || strings.Contains(v, "am/pm") || strings.Contains(v, "a/p"):
				hourOrSecond = true
			case strings.HasPrefix(v, "mmm"):
				date = true
			case strings.HasPrefix(v, "m"):
				month = true
			}
		case nfp.TokenTypeZeroPlaceHolder:
			zeros += strings.Count(tok.TValue, "0")
		case nfp.TokenTypeHashPlaceHolder, nfp.TokenTypeLiteral, nfp.TokenTypeThousandsSeparator,
			nfp.TokenTypeColor, nfp.TokenTypeCurrencyLanguage, nfp.TokenTypeAlignment, nfp.TokenTypeRepeatsChar:
		default:
			other = true
		}
	}
	switch {
	case elapsed:
		return numberFormat{kind: elapsedKind}
	case date || (month && !hourOrSecond):
		return numberFormat{kind: dateKind}
	case hourOrSecond || month:
		return numberFormat{kind: timeKind}
	case !other && zeros > 1:
		return numberFormat{kind: padKind, zeroPad: zeros}
	}
	return numberFormat{kind: plainKind}
}

// styleFormat returns the number format of cell style (cellXfs index) idx.
func styleFormat(f *excelize.File, idx int) numberFormat {
	st, err := f.GetStyle(idx)
	if err != nil || st == nil {
		return numberFormat{kind: plainKind}
	}
	if st.CustomNumFmt != nil {
		return customFormat(*st.CustomNumFmt)
	}
	return builtInFormat(st.NumFmt)
}

// numberText returns a stored number as a person reads it: integers as
// plain digits (never 9.19876543E+11), others as their shortest exact
// decimal, both rounded to Excel's 15 significant digits so binary noise
// (0.30000000000000004) disappears. ok is false for text that is not a
// number; the caller then keeps the stored text.
func numberText(v string) (string, bool) {
	if plainDigits(v) {
		return v, true
	}
	x, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsInf(x, 0) || math.IsNaN(x) {
		return v, false
	}
	x, _ = strconv.ParseFloat(strconv.FormatFloat(x, 'g', 15, 64), 64)
	if x == 0 {
		return "0", true // also -0
	}
	return strconv.FormatFloat(x, 'f', -1, 64), true
}

// plainDigits reports whether v is already a canonical integer of at most
// 15 digits: "0", "12", "-7", not "012", "1E3" or "1.0".
func plainDigits(v string) bool {
	d := v
	if len(d) > 0 && d[0] == '-' {
		d = d[1:]
	}
	if len(d) == 0 || len(d) > 15 || (d[0] == '0' && len(d) > 1) {
		return false
	}
	for i := 0; i < len(d); i++ {
		if d[i] < '0' || d[i] > '9' {
			return false
		}
	}
	return v != "-0"
}

// formatNumber applies what matters of a cell's number format to its
// stored value v: dates become ISO 8601, zero-padded formats keep their
// leading zeros, everything else is the number as typed.
func formatNumber(v string, nf numberFormat, date1904 bool) string {
	switch nf.kind {
	case dateKind, timeKind, elapsedKind:
		if s, ok := serialText(v, nf.kind, date1904); ok {
			return s
		}
	}
	s, ok := numberText(v)
	if !ok {
		return v
	}
	if nf.kind == padKind && len(s) < nf.zeroPad && s[0] != '-' && !strings.Contains(s, ".") {
		return strings.Repeat("0", nf.zeroPad-len(s)) + s
	}
	return s
}

// serialText turns an Excel date serial into ISO 8601 text: "2026-01-15",
// "2026-01-15T09:30:00" when there is a time of day, "09:30:00" for a
// time-only format, "25:30:00" for elapsed time.
func serialText(v string, kind formatKind, date1904 bool) (string, bool) {
	x, err := strconv.ParseFloat(v, 64)
	if err != nil || x < 0 || x > 2958465.999999 || math.IsNaN(x) {
		return "", false
	}
	if kind == elapsedKind {
		secs := int64(math.Round(x * 86400))
		return strconv.FormatInt(secs/3600, 10) + ":" + twoDigits(secs/60%60) + ":" + twoDigits(secs%60), true
	}
	if kind == timeKind && x < 1 {
		secs := int64(math.Round(x*86400)) % 86400
		return twoDigits(secs/3600) + ":" + twoDigits(secs/60%60) + ":" + twoDigits(secs%60), true
	}
	t, err := excelize.ExcelDateToTime(x, date1904)
	if err != nil {
		return "", false
	}
	return isoText(t), true
}

func twoDigits(n int64) string {
	if n < 10 {
		return "0" + strconv.FormatInt(n, 10)
	}
	return strconv.FormatInt(n, 10)
}

// isoText formats t as an ISO 8601 date, with the time only when there is
// one.
func isoText(t time.Time) string {
	if t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 {
		return t.Format("2006-01-02")
	}
	return t.Format("2006-01-02T15:04:05")
}

// dateCellText normalises the ISO 8601 text of a t="d" cell.
func dateCellText(v string) string {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil {
			return isoText(t.Round(time.Second))
		}
	}
	return v
}

// boolText turns a t="b" cell's stored 1/0 into TRUE/FALSE.
func boolText(v string) string {
	switch strings.TrimSpace(v) {
	case "1":
		return "TRUE"
	case "0":
		return "FALSE"
	}
	return v
}

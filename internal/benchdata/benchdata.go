// Package benchdata writes large, valid netsapiens.user spreadsheets (an
// .xlsx workbook and a .csv file of the same shape) for measuring how fast
// the tool reads and validates real-sized input. Every row is a realistic,
// valid user with a unique extension and a unique login.
package benchdata

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/onboard/onboard/internal/netsapiens"
	"github.com/xuri/excelize/v2"
)

// SheetName is the name of the workbook's one sheet: the target it feeds.
const SheetName = "netsapiens.user"

// Domain is the NetSapiens domain every generated user is created in.
const Domain = "acme.example.com"

// Header lists the 15 netsapiens.user wire keys the generated files have
// as columns, in column order.
var Header = []string{
	"domain", "user", "name-first-name", "name-last-name", "login-username",
	"email-address", "user-scope", "department", "site", "time-zone",
	"voicemail-login-pin", "directory-name-number-dtmf-mapping",
	"ring-no-answer-timeout-seconds", "area-code", "caller-id-number",
}

// A person's name as typed and the ASCII form used in logins and addresses.
type personName struct{ typed, ascii string }

var (
	firstNames = []personName{
		{"Jane", "jane"}, {"José", "jose"}, {"Zoë", "zoe"}, {"Liam", "liam"}, {"Priya", "priya"},
		{"芳", "fang"}, {"Mohammed", "mohammed"}, {"Chloé", "chloe"}, {"Olga", "olga"}, {"Kwame", "kwame"},
		{"Siobhán", "siobhan"}, {"Hiroshi", "hiroshi"}, {"Ana María", "anamaria"},
	}
	lastNames = []personName{
		{"Smith", "smith"}, {"O'Brien", "obrien"}, {"García", "garcia"}, {"王", "wang"}, {"Müller", "muller"},
		{"Nguyen", "nguyen"}, {"Kowalski", "kowalski"}, {"Okafor", "okafor"}, {"Dubois", "dubois"},
		{"Patel", "patel"}, {"van der Berg", "vanderberg"}, {"Johansson", "johansson"},
	}
	departments = []string{"Sales", "Support", "Finance", "Engineering", "Operations", "Human Resources", "Marketing"}
	sites       = []string{"Denver HQ", "Austin", "Chicago Loop", "Remote"}
	areaCodes   = []int{303, 512, 312, 415, 212, 617, 206}
)

// keypad maps a lower-case ASCII letter to its telephone keypad digit.
func keypad(r byte) byte { return "22233344455566677778889999"[r-'a'] }

// FirstExtension is the extension of row 0; row i gets FirstExtension+i.
const FirstExtension = 100000

// Values returns row i (0-based) as the cell values a person would type into
// Excel: extensions, timeouts, area codes and caller-ID numbers are numbers
// (int), everything else text; the PIN is text so its leading zeros stay.
func Values(i int) []any {
	first := firstNames[i%len(firstNames)]
	last := lastNames[(i/len(firstNames))%len(lastNames)]
	ext := FirstExtension + i
	login := fmt.Sprintf("%s.%s.%d@%s", first.ascii, last.ascii, ext, Domain)
	area := areaCodes[i%len(areaCodes)]
	dtmf := []byte{keypad(last.ascii[0]), keypad(last.ascii[1]), keypad(last.ascii[2])}
	dtmfNum, _ := strconv.Atoi(string(dtmf))
	return []any{
		Domain,
		ext,
		first.typed,
		last.typed,
		login,
		login,
		netsapiens.UserScopes[i%len(netsapiens.UserScopes)],
		departments[i%len(departments)],
		sites[i%len(sites)],
		netsapiens.TimeZones[i%len(netsapiens.TimeZones)],
		fmt.Sprintf("%04d", (i*7919+13)%10000),
		dtmfNum,
		15 + 5*(i%4),
		area,
		int64(10000000000) + int64(area)*10000000 + int64(i%10000000),
	}
}

// Texts returns row i as the text of each cell, as a CSV file holds it.
func Texts(i int) []string {
	vals := Values(i)
	out := make([]string, len(vals))
	for j, v := range vals {
		out[j] = text(v)
	}
	return out
}

func text(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case int:
		return strconv.Itoa(v)
	case int64:
		return strconv.FormatInt(v, 10)
	default:
		return fmt.Sprint(v)
	}
}

// WriteXLSX writes a workbook with one sheet, SheetName, holding the header
// and rows data rows, to path. It streams the rows (excelize StreamWriter),
// so memory stays flat however many rows are asked for.
func WriteXLSX(path string, rows int) (err error) {
	f := excelize.NewFile()
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("close workbook: %w", cerr)
		}
	}()
	if err := f.SetSheetName("Sheet1", SheetName); err != nil {
		return fmt.Errorf("name the sheet: %w", err)
	}
	sw, err := f.NewStreamWriter(SheetName)
	if err != nil {
		return fmt.Errorf("start writing sheet %s: %w", SheetName, err)
	}
	header := make([]any, len(Header))
	for i, h := range Header {
		header[i] = h
	}
	if err := sw.SetRow("A1", header); err != nil {
		return fmt.Errorf("write header: %w", err)
	}
	for i := 0; i < rows; i++ {
		cell, err := excelize.CoordinatesToCellName(1, i+2)
		if err != nil {
			return fmt.Errorf("row %d: %w", i+2, err)
		}
		if err := sw.SetRow(cell, Values(i)); err != nil {
			return fmt.Errorf("write row %d: %w", i+2, err)
		}
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("finish sheet %s: %w", SheetName, err)
	}
	if err := f.SaveAs(path); err != nil {
		return fmt.Errorf("save %s: %w", path, err)
	}
	return nil
}

// WriteCSV writes the header and rows data rows as UTF-8 CSV to w.
func WriteCSV(w io.Writer, rows int) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	cw := csv.NewWriter(bw)
	if err := cw.Write(Header); err != nil {
		return fmt.Errorf("write header: %w", err)
	}
	for i := 0; i < rows; i++ {
		if err := cw.Write(Texts(i)); err != nil {
			return fmt.Errorf("write row %d: %w", i+2, err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write rows: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write rows: %w", err)
	}
	return nil
}

// WriteCSVFile writes WriteCSV's output to a new file at path.
func WriteCSVFile(path string, rows int) (err error) {
	out, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	defer func() {
		if cerr := out.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("close %s: %w", path, cerr)
		}
	}()
	if err := WriteCSV(out, rows); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// HeaderLine is the CSV header line WriteCSV writes, without line end.
var HeaderLine = strings.Join(Header, ",")

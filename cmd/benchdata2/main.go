// Command benchdata2 writes a large netsapiens.user CSV the way another
// tool would (Python's csv module: CRLF line ends, quotes only where
// needed), so the tool is measured on input it was not tuned against
// (cmd/benchdata writes the files it was). It differs from benchdata on
// purpose: the header uses the people-facing labels in another column
// order; names, time zones, scopes, departments and sites are drawn at
// random (seeded, so a file is reproducible) from longer lists, some with
// commas or quotes; logins and emails use different domains; extensions
// are a shuffled range, not consecutive; and -invalid-share spoils that
// fraction of rows with a time zone outside the vendor's list.
//
//	go run ./cmd/benchdata2 -rows 1000000 -out /tmp/users.csv
//	go run ./cmd/benchdata2 -rows 1000000 -invalid-share 0.2 -out /tmp/users-20pct.csv
package main

import (
	"bufio"
	"encoding/csv"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"

	"github.com/onboard/onboard/internal/netsapiens"
)

func main() {
	rows := flag.Int("rows", 1000000, "data rows to write")
	out := flag.String("out", "", "write the CSV to this path")
	share := flag.Float64("invalid-share", 0, "fraction of rows (0 to 1) given a time zone NetSapiens does not know")
	seed := flag.Uint64("seed", 13, "random seed; the same seed writes the same file")
	flag.Parse()
	if *out == "" || *rows < 0 || *share < 0 || *share > 1 {
		fmt.Fprintln(os.Stderr, "benchdata2: give -out PATH, -rows 0 or more, -invalid-share between 0 and 1")
		flag.Usage()
		os.Exit(2)
	}
	if err := write(*out, *rows, *share, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "benchdata2:", err)
		os.Exit(1)
	}
}

// header is the people-facing labels (not wire keys), in an order unlike
// benchdata's.
var header = []string{
	"Extension", "First Name", "Last Name", "Email", "Login Username", "Domain",
	"Time Zone", "User Scope", "Site", "Department", "Voicemail PIN",
	"Ring Timeout (s)", "Dial By Name Digits", "Area Code", "Caller ID Number",
}

var (
	firsts = []string{"Amara", "Björn", "Chen", "Dmitri", "Élodie", "Fatima", "Gabriel", "Hana", " Igor", "Jürgen",
		"Kofi", "Leïla", "María José", "Nnamdi", "Óscar", "Paulo", "Quinn", "Rania", "Søren", "Tomás", "Ursula",
		"Valentina", "Wei", "Xóchitl", "Yusuf", "Zainab", "Ngozi", "Mateo", "Aiko", "D'Arcy"}
	lasts = []string{"Abara", "Bergström", "Castellanos", "Dąbrowski", "Eriksen", "Fernández", "Gallagher",
		"Haddad", "Ivanova", "Jaramillo", "Kim", "Lefèvre", "McAllister", "Novák", "O'Connor", "Papadopoulos",
		"Quispe", "Rossi", "Sato", "Thorsen", "Uchenna", "Villanueva", "Wójcik", "Xu", "Yilmaz", "Zhou",
		"de la Cruz", "Smith, Jr.", "Van \"Vinnie\" Dyke"}
	departments = []string{"Accounts Payable", "Customer Success", "R&D", "Legal, Compliance", "Warehouse",
		"Facilities", "IT", "Procurement", "Field Service", "Executive Office", ""}
	sites    = []string{"Berlin", "Lagos Office", "São Paulo", "Toronto, ON", "Remote", "Sydney CBD", ""}
	badZones = []string{"Mars/Olympus_Mons", "America/Springfield", "Europe/Atlantis", "US/Pacific-New", "GMT+25"}
	digitsOf = "22233344455566677778889999"
)

// write writes the header and rows random rows to path.
func write(path string, rows int, share float64, seed uint64) (err error) {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("close %s: %w", path, cerr)
		}
	}()
	bw := bufio.NewWriterSize(f, 1<<16)
	cw := csv.NewWriter(bw)
	cw.UseCRLF = true
	if err := cw.Write(header); err != nil {
		return fmt.Errorf("%s: write header: %w", path, err)
	}
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	exts := r.Perm(rows) // unique extensions in random order
	rec := make([]string, len(header))
	for i := range rows {
		fill(rec, r, 2000+exts[i], r.Float64() < share)
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("%s: write row %d: %w", path, i+2, err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("%s: write rows: %w", path, err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("%s: write rows: %w", path, err)
	}
	fmt.Printf("wrote %s: %d rows (invalid share %.2f)\n", path, rows, share)
	return nil
}

// fill sets rec to one user with extension ext; bad gives it a time zone
// outside the vendor's list.
func fill(rec []string, r *rand.Rand, ext int, bad bool) {
	first, last := firsts[r.IntN(len(firsts))], lasts[r.IntN(len(lasts))]
	e := strconv.Itoa(ext)
	handle := strings.ToLower(ascii(first)[:1] + ascii(last))
	zone := netsapiens.TimeZones[r.IntN(len(netsapiens.TimeZones))]
	if bad {
		zone = badZones[r.IntN(len(badZones))]
	}
	area := 200 + r.IntN(800)
	rec[0] = e
	rec[1] = first
	rec[2] = last
	rec[3] = handle + e + "@mail.example.org"
	rec[4] = handle + "-" + e + "@example-corp.net"
	rec[5] = "example-corp.net"
	rec[6] = zone
	rec[7] = netsapiens.UserScopes[r.IntN(len(netsapiens.UserScopes))]
	rec[8] = sites[r.IntN(len(sites))]
	rec[9] = departments[r.IntN(len(departments))]
	rec[10] = fmt.Sprintf("%0*d", 4+r.IntN(3), r.IntN(10000))
	rec[11] = strconv.Itoa(r.IntN(3601))
	rec[12] = dtmf(ascii(last))
	rec[13] = strconv.Itoa(area)
	rec[14] = fmt.Sprintf("1%d%07d", area, r.IntN(10000000))
}

// ascii keeps the lower-case ASCII letters of s (enough for a login).
func ascii(s string) string {
	var b strings.Builder
	for _, c := range strings.ToLower(s) {
		if c >= 'a' && c <= 'z' {
			b.WriteRune(c)
		}
	}
	if b.Len() == 0 {
		return "x"
	}
	return b.String()
}

// dtmf is the keypad digits of the first three letters of name, padded
// with 2s so it is always 200 to 999.
func dtmf(name string) string {
	d := []byte("222")
	for i := 0; i < 3 && i < len(name); i++ {
		d[i] = digitsOf[name[i]-'a']
	}
	return string(d)
}

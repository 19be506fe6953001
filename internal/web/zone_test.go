package web

import (
	"strings"
	"testing"
	"time"
)

// TestZoneNameSaysWhichClockASchedulesFollows pins the When column of the
// Schedules page: a schedule without time_zone follows the server's clock
// and says which zone that is, instead of Go's bare "Local".
func TestZoneNameSaysWhichClockASchedulesFollows(t *testing.T) {
	zone, _ := time.Now().Zone()
	if got := zoneName(time.Local); got != "server time, "+zone || strings.Contains(got, "Local") {
		t.Errorf("zoneName(time.Local) = %q, want %q", got, "server time, "+zone)
	}
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip("no time zone database:", err)
	}
	for loc, want := range map[*time.Location]string{time.UTC: "UTC", berlin: "Europe/Berlin"} {
		if got := zoneName(loc); got != want {
			t.Errorf("zoneName(%v) = %q, want %q", loc, got, want)
		}
	}
}

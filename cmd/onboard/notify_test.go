package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/onboard/onboard/internal/batch"
	"github.com/onboard/onboard/internal/config"
	"github.com/onboard/onboard/internal/notify"
	"github.com/onboard/onboard/internal/outcome"
	"github.com/onboard/onboard/internal/sandbox"
)

func TestSendNotificationsFromTheConfig(t *testing.T) {
	type got struct {
		Outcome, Source, Input, Error string
		Valid                         bool
	}
	received := make(chan got, 4)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var g got
		_ = json.Unmarshal(body, &g)
		g.Valid = notify.Verify("s3cret-hook", body, r.Header.Get(notify.SignatureHeader))
		received <- g
	}))
	defer srv.Close()
	yml := string(sandbox.ConfigYAML("http://127.0.0.1:1")) + "notify:\n  webhook: {url: '" + srv.URL + "/hook', secret: '${HOOK_SECRET}'}\n"
	env := func(k string) (string, bool) { return "s3cret-hook", k == "HOOK_SECRET" }
	cfg, err := config.Parse([]byte(yml), "onboard.yaml", env)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // Ctrl-C during the run: the notification still goes out

	res := &batch.Result{Result: outcome.Result{Input: "/x/new-hires.xlsx", Records: []outcome.Record{{Status: outcome.Created, Person: -1}}}}
	if err := sendNotifications(ctx, cfg, "cli", "/x/new-hires.xlsx", res, nil, nil); err != nil {
		t.Fatal(err)
	}
	if g := <-received; g.Outcome != "success" || g.Source != "cli" || g.Input != "new-hires.xlsx" || !g.Valid {
		t.Errorf("received %+v", g)
	}
	if err := sendNotifications(ctx, cfg, "inbox", "/x/bad.xlsx", nil, errors.New("bad.xlsx is not a spreadsheet"), nil); err != nil {
		t.Fatal(err)
	}
	if g := <-received; g.Outcome != "failure" || !strings.Contains(g.Error, "not a spreadsheet") || !g.Valid {
		t.Errorf("received %+v", g)
	}
	if err := sendNotifications(ctx, nil, "cli", "x", res, nil, nil); err != nil {
		t.Errorf("no configuration: %v", err)
	}
}

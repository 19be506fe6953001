GO ?= go
BIN := bin/onboard

.PHONY: build test demo templates bench fuzz torture screenshots clean

build:
	$(GO) build -ldflags "-X main.version=$$(git describe --always --dirty 2>/dev/null || echo dev)" -o $(BIN) ./cmd/onboard

# The test command CI runs (README): vet, then every test with the race detector.
test:
	$(GO) vet ./...
	$(GO) test -race -count=1 -timeout 8m ./...

# The main job on the embedded sandbox: HR's new-hire sheet through the
# onboarding plan, then IT's per-vendor sheets.
demo: build
	$(BIN) run samples/new-hires.xlsx --plan samples/plan.yaml --sandbox || [ $$? -eq 1 ]
	$(BIN) run samples/vendor-sheets.xlsx --sandbox || [ $$? -eq 1 ]

# Regenerate templates/, docs/targets.md and samples/ from the field descriptions.
templates:
	$(GO) run ./internal/templates/generate

# Go benchmarks (intake, validation, report, state, dispatch, the run
# against the sandbox), then whole-command timings with /usr/bin/time -v.
bench: build
	$(GO) test -run '^$$' -bench . -benchtime 1x -benchmem ./...
	bench/bench.sh

# The reliability drill (not in CI, which runs a short version inside
# `make test`): 60 kill -9 points over HR-plan and per-vendor runs against a
# faulty sandbox, and state.db cut at 12 sizes; it prints one summary line.
torture:
	ONBOARD_TORTURE_KILLS=60 ONBOARD_TORTURE_CUTS=12 $(GO) test -count=1 -run TestTorture -v -timeout 20m ./cmd/onboard

# Every page of onboard serve at 1280 and 390 px, from the real-browser
# suite (needs Chromium: apt-get install -y chromium), into docs/screenshots/;
# the few the README shows are committed.
screenshots:
	ONBOARD_SCREENSHOTS=$(CURDIR)/docs/screenshots $(GO) test -count=1 -run TestBrowser -v ./cmd/onboard

clean:
	rm -rf bin

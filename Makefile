# Salt RAET. `make demo` shows the main job; `make test` runs every test.
GO       ?= go
BIN      ?= bin
PKGS     ?= ./...
# How long each fuzz target runs under `make fuzz`.
FUZZTIME ?= 30s
# Repetitions of each benchmark under `make bench`, for medians.
COUNT    ?= 5
# Emulated minions and back-to-back jobs under `make bench-salt`.
MINIONS  ?= 1000
JOBS     ?= 100
# The emulated minions' keep-alive period and alive timeout under
# `make bench-salt` (the daemon's are 3s and 2s; 0 takes them).
PERIOD   ?= 6s
ALIVE_TIMEOUT ?= 5s
# Lines added to the master's config under `make bench-salt`
# (MASTER_CONF='job_cache: False', or MASTER_CONF=@file for a file's lines:
# raet_max_allowing: 0, metrics_port: 9301, ...).
MASTER_CONF ?=
# Where `make bench-job` puts its daemons' root_dir (job cache, keys,
# sockets): empty is the system's temporary directory. The job cache's cost
# is the filesystem's; point it at another one to compare (BENCHMARKS.md).
BENCH_DIR ?=
# Where `make bench-salt` keeps the master's log (at info) and the
# emulator's, with the minions' counters summed as it stops: empty keeps
# neither.
LOG_DIR ?=

FUZZ_TARGETS = \
	./pkg/raet/road/wire:FuzzParseHead \
	./pkg/raet/road/wire:FuzzParsePacket \
	./pkg/raet/road/wire:FuzzRxTray \
	./pkg/raet/lane:FuzzParsePage \
	./pkg/raet/body:FuzzDecodeJSON \
	./pkg/raet/body:FuzzDecodeMsgpack \
	./pkg/raet/road/keep:FuzzLoad \
	./pkg/salt/netapi:FuzzRequestBody

.PHONY: all build test race vet fmt bench bench-job bench-salt bench-api fuzz demo demo-raet vectors-check clean

all: build

build:
	$(GO) build -o $(BIN)/ ./cmd/...

test: vet
	$(GO) test -count=1 $(PKGS)

race:
	$(GO) test -race -count=1 $(PKGS)

vet:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)

fmt:
	gofmt -w $$(git ls-files '*.go')

bench:
	$(GO) test -run '^$$' -bench . -benchmem -count $(COUNT) ./pkg/...

# The job path alone: test.ping through the client library, master, road and
# minion (latency, jobs/s, CPU per job) beside the crypto floor of a job.
bench-job:
	SALTRAET_BENCH_DIR=$(BENCH_DIR) $(GO) test -run '^$$' -bench JobPath -count $(COUNT) ./pkg/salt/client/

# A master under MINIONS emulated minions (salt-minion-emulator): the join
# storm, test.ping to all, JOBS back-to-back jobs, the master's RSS and CPU
# per job, lost returns, beside the crypto floor measured in the same run.
bench-salt: build
	$(GO) run ./internal/cmd/salt-load -bin $(BIN) -n $(MINIONS) -jobs $(JOBS) -period $(PERIOD) -alive-timeout $(ALIVE_TIMEOUT) -master-conf '$(MASTER_CONF)' -log-dir '$(LOG_DIR)'

# salt-api-raet's figures: POST / test.ping to one and to API_MINIONS emulated
# minions, then API_CLIENTS clients at once (scripts/bench-api.sh).
API_MINIONS ?= 10
API_CLIENTS ?= 50
bench-api: build
	scripts/bench-api.sh $(BIN) $(API_MINIONS) $(API_CLIENTS)

fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; name=$${t##*:}; \
		echo "== $$name ($$pkg, $(FUZZTIME))"; \
		$(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) $$pkg; \
	done

# The main job: a master and three minions on loopback, jobs and returns.
demo: build
	@./scripts/demo-salt.sh $(BIN)

# The protocol underneath: keys, a decoded packet, road peers, lane yards.
demo-raet: build
	@./scripts/demo.sh $(BIN)

# testdata/shared against the shared captures beside the checkout (not a test:
# a fresh clone has none).
vectors-check:
	@./scripts/vectors.sh check

clean:
	rm -rf $(BIN)

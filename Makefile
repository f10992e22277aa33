# `make test` is the project's test command; CI runs it through .ci/run.

.PHONY: test run bench fuzz

# Extra go test arguments, e.g. make test ARGS='-run TestSignIn ./web/'.
ARGS ?=

test:
	scripts/test $(ARGS)

run:
	go run ./cmd/latchkey dev

bench:
	go test -run '^$$' -bench . -benchmem ./bench/...

# A short smoke run of every fuzz target: go test -fuzz takes one target in
# one package at a time, so find them in the _test.go files. Each runs from
# its own directory, which also covers the separate sdk/go module.
FUZZTIME ?= 10s

fuzz:
	@set -e; n=0; \
	for f in $$(git ls-files --cached --others --exclude-standard -- '*_test.go' ':!:vendor/*' ':!:*/vendor/*'); do \
		[ -f "$$f" ] || continue; \
		for fn in $$(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p' "$$f"); do \
			d=$$(dirname "$$f"); n=$$((n + 1)); \
			echo "==> fuzz $$fn in ./$$d for $(FUZZTIME)"; \
			(cd "$$d" && go test -run '^$$' -fuzz "^$$fn\$$" -fuzztime $(FUZZTIME) .); \
		done; \
	done; \
	echo "==> $$n fuzz targets run"

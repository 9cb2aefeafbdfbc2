# siamon: two commands. `make run` installs what is missing, builds release and opens the TUI; `make test` runs the suite.
SHELL := /bin/bash
DEBS := libopenblas-dev libncurses-dev libsqlite3-dev libstb-dev zlib1g-dev dataset-fashion-mnist tmux pkg-config
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
SWIFT ?= swift

.PHONY: run test deps build debug bench soak fuzz clean

run: deps build
	./.build/release/siamon $(ARGS)

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --parallel --num-workers 2 2>&1 | tee .build/test.log; exit $${PIPESTATUS[0]}

# Installs only the Debian packages that are missing; `apt-get update` runs once, and only if something is missing.
deps:
	@missing=""; for p in $(DEBS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -q && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
	fi

build:
	$(SWIFT) build -c release --product siamon

debug:
	$(SWIFT) build

bench: deps build
	./.build/release/siamon bench --kernels

clean:
	rm -rf .build

# Long tests, not part of `make test` (issue 8): SOAK_SECONDS=600 by default.
soak: deps build
	bash scripts/soak.sh

# siamon: two commands. `make run` installs what is missing, builds release and opens the TUI; `make test` runs the suite.
SHELL := /bin/bash
DEBS := libopenblas-dev libncurses-dev libsqlite3-dev libstb-dev zlib1g-dev dataset-fashion-mnist tmux pkg-config
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
SWIFT ?= swift

.PHONY: run test deps build debug bench soak fuzz clean test-torch

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

# Long tests, not part of `make test` (docs/architecture.md §5): SOAK_SECONDS=600 by default.
soak: deps build
	bash scripts/soak.sh

# libFuzzer over the parsers (docs/architecture.md §5): a separate build dir with the fuzzer sanitizer, each target run for
# FUZZ_SECONDS on a scratch copy of its committed seed corpus (Tests/Fixtures/fuzz/<target>/), so `make fuzz`
# never rewrites the repository. Crashes land in .build-fuzz/crashes/<target>/. Prints executions per target.
FUZZ_SECONDS ?= 300
FUZZ_TARGETS := FuzzImporter:importer FuzzCSV:csv FuzzSafetensors:safetensors FuzzPreset:preset FuzzIDX:idx FuzzTheme:theme
FUZZ_FLAGS := -Xswiftc -sanitize=fuzzer -Xswiftc -DFUZZING --scratch-path .build-fuzz
fuzz: deps
	@for t in $(FUZZ_TARGETS); do $(SWIFT) build $(FUZZ_FLAGS) --product $${t%%:*} || exit 1; done
	@bin=$$($(SWIFT) build $(FUZZ_FLAGS) --show-bin-path); status=0; \
	for t in $(FUZZ_TARGETS); do name=$${t%%:*}; seeds=Tests/Fixtures/fuzz/$${t##*:}; \
	  work=.build-fuzz/corpus/$$name; crashes=.build-fuzz/crashes/$$name/; rm -rf $$work; mkdir -p $$work $$crashes; \
	  $$bin/$$name $$work $$seeds -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=2048 -malloc_limit_mb=2048 -timeout=10 \
	    -max_len=65536 -print_final_stats=1 -artifact_prefix=$$crashes > .build-fuzz/$$name.log 2>&1 || status=1; \
	  execs=$$(grep -o 'stat::number_of_executed_units: *[0-9]*' .build-fuzz/$$name.log | grep -o '[0-9]*$$'); \
	  echo "$$name: $${execs:-?} executions in $(FUZZ_SECONDS) s, corpus $$(ls $$work | wc -l) inputs, crashes $$(ls $$crashes | wc -l) (log .build-fuzz/$$name.log)"; \
	done; exit $$status

# Optional, not in CI: PyTorch steered through the command channel. A venv in .venv-torch gets torch: a CPU wheel in
# pip's local /opt/wheels when the machine image has one (about 190 MB), otherwise `pip install torch` from PyPI
# (the CUDA build with its nvidia-* wheels, about 4 GB, which runs on the CPU too). Then a 2-rank DDP script
# (python/examples/ddp_tensorboard.py, gloo) runs under torchrun and python/examples/steer_ddp_check.py steers it with
# `siamon ctl`: pause (no optimizer step on any rank for 3 s), resume, lr-scale 1.25, stop (every rank exits 0).
PY_TAG := cp$(shell python3 -c 'import sys; print("%d%d" % sys.version_info[:2])')
TORCH_WHEEL ?= $(lastword $(wildcard /opt/wheels/torch-*+cpu-$(PY_TAG)-*.whl))
test-torch: deps
	$(SWIFT) build --product siamon
	[ -x .venv-torch/bin/python ] || python3 -m venv .venv-torch
	.venv-torch/bin/python -c "import torch" 2>/dev/null || .venv-torch/bin/pip install $(or $(TORCH_WHEEL),torch)
	.venv-torch/bin/python python/examples/steer_ddp_check.py --siamon "$$($(SWIFT) build --show-bin-path)/siamon"

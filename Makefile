# SPDX-License-Identifier: Apache-2.0
# Keel top-level build.  Everything lands under build/.
#   make          the hypervisor: build/keel.Image (arm64 Image) and build/keel.elf
#   make test     every test tier (installs missing Debian packages first)
#   make run      boots the demonstration system in QEMU
#   make bench    the benchmark suite
#   make fuzz     hostile-guest fuzzing (10 million operations) and the host fuzzers
#   make stress   thousands of racing domain restarts (tests/multi restart-race-*)
Q ?= @
BUILD := build
CROSS ?= aarch64-linux-gnu-
export Q BUILD CROSS

.PHONY: all abi hyp guests unit test test-unit test-int lint format run bench stress deps clean
all: hyp guests

deps:
	$(Q)scripts/deps.sh

include mk/toolchain.mk
include abi/abi.mk
include hyp/hyp.mk
include tests/unit/unit.mk
-include guests/guests.mk
-include tools/tools.mk
-include dom0/keel-fbback/keel-fbback.mk
-include tests/fuzz/fuzz.mk

hyp: $(BUILD)/keel.Image

test: deps
	$(Q)scripts/test-all.sh

lint:
	$(Q)scripts/lint.sh

format:
	$(Q)scripts/lint.sh --fix

# A fresh make builds the image: this one parsed mk/toolchain.mk before deps installed the
# cross compiler, so its flags lack the compiler's include directory.
run: deps
	$(Q)$(MAKE) --no-print-directory hyp
	$(Q)scripts/run-demo.sh

bench: deps hyp
	$(Q)scripts/bench.sh

# Domains that restart while racing their own teardown, thousands of times on 2 and 4 pCPUs
# (make test runs the same cases with a few hundred restarts).
stress: deps all
	$(Q)MULTI_RESTARTS=$${MULTI_RESTARTS:-3000} tests/multi/run.sh restart-race-smp2 restart-race-smp4

clean:
	rm -rf $(BUILD)/hyp $(BUILD)/unit $(BUILD)/guests $(BUILD)/fuzz-host $(BUILD)/keel.*

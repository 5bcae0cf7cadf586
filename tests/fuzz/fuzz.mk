# SPDX-License-Identifier: Apache-2.0
# Fuzzing (make fuzz; tests/fuzz/all.sh runs it all).  Host harnesses: tests/fuzz/host/fuzz_NAME.c
# plus the sources it exercises (FUZZ_SRCS_NAME), built with clang's libFuzzer, AddressSanitizer
# and UndefinedBehaviorSanitizer into $(BUILD)/fuzz-host/fuzz_NAME.  Only make fuzz builds them:
# clang is an optional dependency that make and make test never need.
FUZZ_CC ?= clang
FUZZ_CFLAGS := -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
               -fno-omit-frame-pointer -Wall -Wextra -Werror -Wno-unused-parameter \
               -Wno-missing-field-initializers -DHOST_TEST \
               -Ihyp/include -Ihyp/arch/host/include -Ihyp/arch/arm64/include -Iabi
FUZZ_HOST := fdt xlcfg vgic vpl011
FUZZ_SRCS_fdt := hyp/lib/fdt.c hyp/arch/host/host.c
FUZZ_SRCS_xlcfg := dom0/libxlcfg/xlcfg.c dom0/libxlcfg/xlcfg_syntax.c
FUZZ_SRCS_vgic := $(addprefix hyp/arch/arm64/vgic/,vgic.c regs.c dist.c redist.c lr.c passthru.c) \
                  hyp/core/vmmio.c hyp/arch/host/host.c tests/unit/vgic_doubles.c
FUZZ_SRCS_vpl011 := hyp/core/vdev/vpl011.c hyp/core/vmmio.c hyp/core/console.c \
                    hyp/arch/host/host.c
FUZZ_HOST_BINS := $(patsubst %,$(BUILD)/fuzz-host/fuzz_%,$(FUZZ_HOST))

.PHONY: fuzz fuzz-host
fuzz-host: $(FUZZ_HOST_BINS)

.SECONDEXPANSION:
$(BUILD)/fuzz-host/fuzz_%: tests/fuzz/host/fuzz_%.c $$(FUZZ_SRCS_$$*)
	@mkdir -p $(dir $@)
	@echo "  FUZZCC  $@"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $^

# The optional dependencies (clang and its libFuzzer runtime) first, through the same script
# as make test's; then everything make builds; then the fuzzers.
fuzz:
	$(Q)scripts/deps.sh clang libclang-rt-14-dev
	$(Q)$(MAKE) --no-print-directory all
	$(Q)tests/fuzz/all.sh

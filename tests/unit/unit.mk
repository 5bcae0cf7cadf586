# SPDX-License-Identifier: Apache-2.0
# Host unit tests (cmocka), built with AddressSanitizer and UndefinedBehaviorSanitizer.
# Each test is tests/unit/test_NAME.c plus the hypervisor sources it exercises, listed as
#   UNIT_SRCS_NAME := hyp/...c
# in tests/unit/*.mk fragments (one per area, so parallel work does not collide).  Optional:
#   UNIT_CFLAGS_NAME := extra compiler flags for that test only
#   UNIT_DEPS_NAME   := extra prerequisites that are not compiled themselves (a source that a
#                       wrapper .c #includes, a generated data file the test embeds)
UNIT_CFLAGS := -std=gnu11 -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all \
               -fno-omit-frame-pointer -Wall -Wextra -Werror -Wno-unused-parameter \
               -Wno-missing-field-initializers -DHOST_TEST \
               -Ihyp/include -Ihyp/arch/host/include -Ihyp/arch/arm64/include -Iabi -Itests/unit
UNIT_LIBS := $(shell pkg-config --libs cmocka 2>/dev/null || echo -lcmocka)

UNIT_TESTS :=

-include $(filter-out tests/unit/unit.mk,$(wildcard tests/unit/*.mk))

UNIT_BINS := $(patsubst %,$(BUILD)/unit/test_%,$(UNIT_TESTS))
# What one test's binary is compiled from (in its recipe, $* is the test's name).
UNIT_INPUTS = tests/unit/test_$*.c $(UNIT_SRCS_$*) hyp/arch/host/host.c

.SECONDEXPANSION:
$(BUILD)/unit/test_%: tests/unit/test_%.c $$(UNIT_SRCS_$$*) $$(UNIT_DEPS_$$*) hyp/arch/host/host.c
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	$(Q)$(HOSTCC) $(UNIT_CFLAGS) $(UNIT_CFLAGS_$*) -o $@ $(UNIT_INPUTS) $(UNIT_LIBS)
	$(Q)$(HOSTCC) $(UNIT_CFLAGS) $(UNIT_CFLAGS_$*) -MM -MP -MT $@ $(filter %.c,$(UNIT_INPUTS)) >$@.d

# Headers each test includes (written by the compiler), so a header change rebuilds it.
-include $(wildcard $(BUILD)/unit/*.d)

unit: $(UNIT_BINS)

test-unit: unit
	$(Q)scripts/run-unit.sh $(UNIT_BINS)

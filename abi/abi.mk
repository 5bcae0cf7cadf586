# SPDX-License-Identifier: Apache-2.0
# abi/: each header compiles on its own, with the EL2 flags for AArch64 (the hypervisor and
# guests) and for the host (x86-64 programs and unit tests), so its layout assertions hold on
# both.  `make hyp` runs it; stamps under build/abi/.
ABI_HEADERS := $(wildcard abi/*/*.h)
ABI_STAMPS := $(patsubst abi/%.h,$(BUILD)/abi/%.ok,$(ABI_HEADERS))
ABI_A64_CFLAGS := $(filter-out -MMD -MP -include hyp/include/hyp/visibility.h,$(A64_CFLAGS)) \
                  -Wpedantic -Iabi
ABI_HOST_CFLAGS := -std=c11 -Wall -Wextra -Werror -Wpedantic -Iabi
# A translation unit that only includes the header (ISO C wants one declaration besides).
abi_tu = printf '\#include <%s>\ntypedef int abi_check;\n' $(1)

$(BUILD)/abi/%.ok: abi/%.h $(ABI_HEADERS)
	@mkdir -p $(dir $@)
	@echo "  ABI     $*.h"
	$(Q)$(call abi_tu,$*.h) | $(CC_A64) $(ABI_A64_CFLAGS) -fsyntax-only -x c -
	$(Q)$(call abi_tu,$*.h) | $(HOSTCC) $(ABI_HOST_CFLAGS) -fsyntax-only -x c -
	@touch $@

.PHONY: abi
abi: $(ABI_STAMPS)
hyp: abi

# SPDX-License-Identifier: Apache-2.0
# Bare-metal test guests: guests/<name>/*.c with the runtime in guests/common/ become
# build/guests/<name>.elf and build/guests/<name>.Image (a Linux arm64 Image any loader boots).
GUEST_NAMES := $(sort $(filter-out common,$(patsubst guests/%/,%,$(dir $(wildcard guests/*/*.c)))))
GUEST_COMMON_SRC := $(wildcard guests/common/*.S guests/common/*.c)
GUEST_COMMON_O := $(patsubst %,$(BUILD)/%.o,$(basename $(GUEST_COMMON_SRC)))
GUEST_CFLAGS := $(A64_CFLAGS) -Iguests/common -Iabi
GUEST_LDFLAGS := -pie -z notext -z norelro --no-dynamic-linker -Bsymbolic --build-id=none \
    --no-warn-rwx-segments -T guests/common/guest.lds
GUEST_IMAGES := $(patsubst %,$(BUILD)/guests/%.Image,$(GUEST_NAMES))

guests: $(GUEST_IMAGES)

$(BUILD)/guests/%.o: guests/%.c
	@mkdir -p $(dir $@)
	$(Q)$(CC_A64) $(GUEST_CFLAGS) -c $< -o $@

$(BUILD)/guests/%.o: guests/%.S
	@mkdir -p $(dir $@)
	$(Q)$(CC_A64) $(A64_ASFLAGS) -c $< -o $@

# One rule per guest: its own objects plus the runtime.
define guest_rules
$(BUILD)/guests/$(1).elf: $(patsubst %,$(BUILD)/%.o,$(basename $(wildcard guests/$(1)/*.c guests/$(1)/*.S))) $(GUEST_COMMON_O) guests/common/guest.lds
	@echo "  LD      $$@"
	$(Q)$(LD_A64) $(GUEST_LDFLAGS) -o $$@ $$(filter %.o,$$^)
endef
$(foreach g,$(GUEST_NAMES),$(eval $(call guest_rules,$(g))))

$(BUILD)/guests/%.Image: $(BUILD)/guests/%.elf
	@echo "  IMAGE   $@"
	$(Q)$(OBJCOPY_A64) -O binary $< $@

-include $(wildcard $(BUILD)/guests/*/*.d)

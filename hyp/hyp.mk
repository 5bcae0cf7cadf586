# SPDX-License-Identifier: Apache-2.0
# The hypervisor image.  Each folder lists its own objects in a *.mk file.
HYP_OBJS :=
include hyp/core/core.mk
include hyp/lib/lib.mk
include hyp/drivers/drivers.mk
include hyp/arch/arm64/arm64.mk

HYP_INC := -Ihyp/include -Ihyp/arch/arm64/include -Iabi
HYP_O := $(patsubst %,$(BUILD)/hyp/%.o,$(basename $(HYP_OBJS)))

$(BUILD)/hyp/%.o: %.c
	@mkdir -p $(dir $@)
	$(Q)$(CC_A64) $(A64_CFLAGS) $(HYP_INC) -c $< -o $@

$(BUILD)/hyp/%.o: %.S
	@mkdir -p $(dir $@)
	$(Q)$(CC_A64) $(A64_ASFLAGS) $(HYP_INC) -c $< -o $@

$(BUILD)/keel.elf: $(HYP_O) hyp/arch/arm64/keel.lds
	@echo "  LD      $@"
	$(Q)$(LD_A64) -pie -z notext -z norelro --no-dynamic-linker -Bsymbolic --build-id=none --no-warn-rwx-segments \
	    -T hyp/arch/arm64/keel.lds -o $@ $(HYP_O)

$(BUILD)/keel.Image: $(BUILD)/keel.elf
	@echo "  IMAGE   $@"
	$(Q)$(OBJCOPY_A64) -O binary $< $@

-include $(HYP_O:.o=.d)

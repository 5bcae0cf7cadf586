# SPDX-License-Identifier: Apache-2.0
# Interrupts, time and SMP: the timer queues and time conversions (the hardware side is
# covered by the boot self-checks, tests/boot/run.sh).
UNIT_TESTS += timer
UNIT_DEPS_timer := hyp/core/timer.c
UNIT_CFLAGS_timer := -pthread

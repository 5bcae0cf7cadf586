/* SPDX-License-Identifier: Apache-2.0 */
/* Host stand-in for the arch part of struct percpu. */
#pragma once

struct arch_percpu {
    void *unused;
};

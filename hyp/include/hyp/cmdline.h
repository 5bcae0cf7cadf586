/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Keel's own command line (from /chosen/xen,xen-bootargs, else /chosen/bootargs): space-
 * separated words "name" or "name=value".  Known options: loglvl=err|warn|info|debug,
 * selftest (a boolean: cmdline_bool), bootscrub=idle, sched=credit|rtds|null, sched_slice_us=N,
 * cpupool=NAME:POLICY:CPULIST (repeatable;
 * docs/scheduling.md), bhb_loop=N (docs/architecture.md, Spectre).
 */
#pragma once

#include <hyp/types.h>

/* Value of option name: returns true and (*val, *len) if present ("" for a bare word). */
bool cmdline_get(const char *cmdline, const char *name, const char **val, size_t *len);
bool cmdline_has(const char *cmdline, const char *name);
/* Every occurrence of a repeatable option, in order: start with *pos = NULL; each call returns
 * the next (true, with its value) or false at the end. */
bool cmdline_next(const char *cmdline, const char *name, const char **pos, const char **val,
                  size_t *len);
/* Numeric option with optional K/M/G suffix; def if absent or malformed. */
uint64_t cmdline_u64(const char *cmdline, const char *name, uint64_t def);
/* Whether option name's value equals want. */
bool cmdline_is(const char *cmdline, const char *name, const char *want);
/* A boolean option: the bare word or =1/yes/true/on/enable is 1; =0/no/false/off/disable is 0
 * (the last occurrence counts).  def if absent; -EINVAL for any other value. */
int cmdline_bool(const char *cmdline, const char *name, int def);

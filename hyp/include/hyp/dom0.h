/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dom0, the hardware and control domain (core/dom0.c): what the boot device tree and Keel's
 * command line say about it.  Built by domain_build_all() before the dom0less domains, as
 * domain 0.
 */
#pragma once

#include <hyp/domain.h>
#include <hyp/fdt.h>

#define DOM0_NAME "Domain-0" /* what xl list calls it */
#define DOM0_MEM_DEFAULT MiB(512)

/* Fill cfg for dom0 from the modules directly under /chosen of f and from cmdline (dom0_mem,
 * dom0_max_vcpus), with pcpus physical CPUs.  0; -ENOENT if there is no dom0 kernel module
 * (no dom0: a dom0less boot); -EINVAL with *why if an option is malformed. */
int dom0_config(const struct fdt *f, const char *cmdline, unsigned pcpus, struct domain_config *cfg,
                const char **why);

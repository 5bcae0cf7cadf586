/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Who may do what: the one place privilege is decided.  Hypercall families and sub-ops name the
 * class of caller they need; nothing checks privilege on its own.
 */
#pragma once

#include <hyp/domain.h>

enum caller_class {
    CALLER_ANY,     /* every domain */
    CALLER_CONTROL, /* the control domain (dom0, the toolstack's) */
};

/* Whether d may make a call of class c. */
bool policy_may_call(const struct domain *d, enum caller_class c);
/* Whether d may act on target t (a sub-op naming another domain): itself always, any domain
 * for the control domain. */
bool policy_may_target(const struct domain *d, const struct domain *t);

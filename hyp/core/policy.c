/* SPDX-License-Identifier: Apache-2.0 */
/* Privilege decisions (see policy.h).  No state of its own: it reads the domains' flags. */
#include <hyp/policy.h>

bool policy_may_call(const struct domain *d, enum caller_class c)
{
    return c == CALLER_ANY || (c == CALLER_CONTROL && d->is_control);
}

bool policy_may_target(const struct domain *d, const struct domain *t)
{
    return d == t || d->is_control;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dom0less static event channels (Xen 4.17's binding): under a "xen,domain" node, a child with
 * compatible "xen,evtchn-v1" and "xen,evtchn" = <local-port phandle>, where phandle names the
 * peer's own such node, in the same or another domain node.  Each pair is connected once,
 * before any domain runs, so the guests find each other by the port numbers in their boot
 * configuration and only ever call EVTCHNOP_send.  A node that does not fit (bad port, no peer,
 * a peer that does not point back, a port in use) is refused with a line that says why; the
 * other channels and the domains go on.  Runs on the boot CPU; takes the event locks only.
 */
#include <hyp/console.h>
#include <hyp/evtchn.h>
#include <hyp/fdt.h>

#define STATIC_COMPAT "xen,evtchn-v1"

/* The channel node n: its port and the node of its peer (-1 if there is none). */
static bool read_node(const struct fdt *f, int n, uint32_t *port, int *peer)
{
    uint32_t len;
    const uint8_t *p = fdt_prop(f, n, "xen,evtchn", &len);
    if (!p || len != 8)
        return false;
    *port = fdt32(p);
    *peer = fdt_find_phandle(f, fdt32(p + 4));
    return true;
}

/* Which of the nr built domains node dn (a "xen,domain" node) became, or NULL. */
static struct domain *domain_of(const int nodes[], struct domain *const doms[], unsigned nr, int dn)
{
    for (unsigned i = 0; i < nr; i++)
        if (nodes[i] == dn)
            return doms[i];
    return NULL;
}

/* Connect channel node n of domain d to its peer, when n comes first (each pair once). */
static void bind_node(const struct fdt *f, const int nodes[], struct domain *const doms[],
                      unsigned nr, struct domain *d, int n)
{
    uint32_t port, peer_port;
    int peer, back;
    if (!read_node(f, n, &port, &peer) || peer < 0) {
        pr_err("domain %s: static event channel %s: no \"xen,evtchn\" = <port phandle> that "
               "names a node\n",
               d->name, fdt_name(f, n));
        return;
    }
    struct domain *pd = domain_of(nodes, doms, nr, fdt_parent(f, peer));
    if (!pd || peer == n || !fdt_compatible(f, peer, STATIC_COMPAT) ||
        !read_node(f, peer, &peer_port, &back) || back != n) {
        pr_err("domain %s: static event channel %s: its peer %s is no channel of a built "
               "domain that names it back\n",
               d->name, fdt_name(f, n), fdt_name(f, peer));
        return;
    }
    if (peer < n)
        return; /* connected (or refused) from the peer's side */
    int rc = evtchn_bind_static(d, port, pd, peer_port);
    if (rc)
        pr_err("domain %s: static event channel port %u to domain %s port %u: error %d\n", d->name,
               port, pd->name, peer_port, rc);
    else
        pr_info("domain %s: static event channel port %u <-> domain %s port %u\n", d->name, port,
                pd->name, peer_port);
}

void evtchn_static_bind_all(const struct fdt *f, const int nodes[], struct domain *const doms[],
                            unsigned nr)
{
    for (unsigned i = 0; i < nr; i++)
        for (int n = fdt_first_child(f, nodes[i]); n >= 0; n = fdt_next_sibling(f, n))
            if (fdt_compatible(f, n, STATIC_COMPAT))
                bind_node(f, nodes, doms, nr, doms[i], n);
}

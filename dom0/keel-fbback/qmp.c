/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The QMP answers keel-fbback gives libxl: framing of the JSON requests on a monitor socket and
 * the reply to each, as a QEMU without serial ports or displays would give it.  Facts from
 * Xen 4.17's libxl_dm.c and libxl_qmp.c (what libxl sends a PV device model and reads back).
 * Pure: the socket handling is serve.c's, so host unit tests cover this.
 */
#include "qmp.h"

#include <stdio.h>
#include <string.h>

/* Length of the first complete JSON object in buf (0 if none yet, -1 if malformed). */
long qmp_object_len(const char *buf, size_t len)
{
    int depth = 0;
    bool str = false, esc = false;

    for (size_t i = 0; i < len; i++) {
        char ch = buf[i];

        if (str) {
            if (esc)
                esc = false;
            else if (ch == '\\')
                esc = true;
            else if (ch == '"')
                str = false;
        } else if (ch == '"') {
            str = true;
        } else if (ch == '{') {
            depth++;
        } else if (ch == '}') {
            if (--depth < 0)
                return -1;
            if (depth == 0)
                return (long)i + 1;
        } else if (depth == 0 && ch != ' ' && ch != '\r' && ch != '\n' && ch != '\t') {
            return -1;
        }
    }
    return 0;
}

/* The raw value after "key": in obj (a string with its quotes, or a bare token). */
static bool json_member(const char *obj, const char *key, char *out, size_t len)
{
    char pat[32];
    const char *p, *e;

    snprintf(pat, sizeof(pat), "\"%s\"", key);
    p = strstr(obj, pat);
    if (!p)
        return false;
    p += strlen(pat);
    p += strspn(p, " \t\r\n");
    if (*p++ != ':')
        return false;
    p += strspn(p, " \t\r\n");
    if (*p == '"')
        e = strchr(p + 1, '"') ? strchr(p + 1, '"') + 1 : NULL;
    else
        e = p + strcspn(p, ",} \t\r\n");
    if (!e || e == p || (size_t)(e - p) >= len)
        return false;
    memcpy(out, p, (size_t)(e - p));
    out[e - p] = 0;
    return true;
}

static const char *qmp_answer(struct qmp_state *s, const char *cmd)
{
    if (!strcmp(cmd, "\"qmp_capabilities\"") || !strcmp(cmd, "\"cont\"")) {
        if (!strcmp(cmd, "\"cont\"") && s->prelaunch) {
            s->prelaunch = false;
            s->cont_seen = true;
        }
        return "\"return\": {}";
    }
    if (!strcmp(cmd, "\"query-status\""))
        return s->prelaunch ? "\"return\": {\"status\": \"prelaunch\", \"singlestep\": false, "
                              "\"running\": false}"
                            : "\"return\": {\"status\": \"running\", \"singlestep\": false, "
                              "\"running\": true}";
    /* No serial ports: what a QEMU without them answers.  libxl writes the VNC address it
     * reads here into the domain's console/vnc-listen and vnc-port (xl vncviewer uses them). */
    if (!strcmp(cmd, "\"query-chardev\""))
        return "\"return\": []";
    if (!strcmp(cmd, "\"query-vnc\"")) {
        if (!s->vnc_port)
            return "\"return\": {\"enabled\": false}";
        snprintf(s->answer, sizeof(s->answer),
                 "\"return\": {\"enabled\": true, \"host\": \"%.40s\", \"service\": \"%u\"}",
                 s->vnc_host, s->vnc_port);
        return s->answer;
    }
    if (!strcmp(cmd, "\"quit\"")) {
        s->quit = true;
        return "\"return\": {}";
    }
    return NULL;
}

/* Whether an id can be echoed as it is: a number, or a string of letters, digits, - and _. */
static bool id_plain(const char *id)
{
    size_t n = strlen(id), body = strspn(id + (id[0] == '"'), "abcdefghijklmnopqrstuvwxyz"
                                                              "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                                              "0123456789-_");

    if (id[0] == '"')
        return n >= 2 && body == n - 2 && id[n - 1] == '"';
    return n > 0 && strspn(id, "0123456789") == n;
}

void qmp_reply(struct qmp_state *s, const char *obj, char *reply, size_t len)
{
    char cmd[64] = "", id[64] = "", name[64];
    const char *ans;
    size_t n = 0;

    json_member(obj, "execute", cmd, sizeof(cmd));
    if (json_member(obj, "id", id, sizeof(id)) && !id_plain(id))
        id[0] = 0;
    ans = qmp_answer(s, cmd);
    if (ans) {
        snprintf(reply, len, "{%s%s%s}\r\n", ans, id[0] ? ", \"id\": " : "", id);
    } else {
        /* The name back in the description, with only characters that need no escaping. */
        for (const char *p = cmd; *p && n < sizeof(name) - 1; p++)
            if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' || *p == '_')
                name[n++] = *p;
        name[n] = 0;
        snprintf(reply, len,
                 "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"The command %s has "
                 "not been found\"}%s%s}\r\n",
                 name, id[0] ? ", \"id\": " : "", id);
    }
}

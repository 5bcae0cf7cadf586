/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Console input switch: bytes typed on the physical UART go to one owner at a time, Keel's own
 * command console or one domain's emulated UART.  Ctrl-A three times in a row passes input to
 * the next owner: Keel, then each domain with a vpl011 in id order, then Keel again.
 */
#pragma once

#include <hyp/types.h>

struct domain;

#define CONSOLE_ESCAPE_CHAR 0x01 /* Ctrl-A */
#define CONSOLE_ESCAPE_COUNT 3
/* Ctrl-As held back longer than this are passed on as typed (a lone Ctrl-A for the owner). */
#define CONSOLE_ESCAPE_TIMEOUT_NS 1000000000ULL
#define CONSOLE_POLL_NS 10000000ULL      /* UART polling period without a receive interrupt */
#define CONSOLE_POLL_IRQ_NS 200000000ULL /* safety-net period once its interrupt is seen */
#define CONSOLE_LINE_MAX 80              /* Keel command line, terminating NUL included */

/* Boot CPU, before any domain is built: register the console UART's interrupt (left disabled)
 * so that the line is Keel's and no domain can be given it. */
void console_switch_claim_irq(void);

/* Boot CPU, once the domains exist (needs interrupts and timers): input starts with the first
 * domain (by id) that has an emulated UART, or with Keel if none has; polls the UART from a
 * timer on CPU0 and, when the device tree names the console UART's interrupt, from that
 * interrupt too. */
void console_switch_init(void);

/* d is going away: if it owns input, input goes back to Keel.  After this returns no more
 * input is passed to d.  Any CPU. */
void console_switch_domain_gone(struct domain *d);

/* Drain the UART and route what was typed.  Called by the poll timer and the UART's receive
 * interrupt; also safe from anywhere else. */
void console_switch_poll(void);

/* The domain that owns input, or NULL for Keel. */
struct domain *console_switch_owner(void);

/* dom0's typed input (CONSOLEIO_read): dom0 has no emulated UART; what is typed while it owns
 * input waits here (CONSOLE_RX_SIZE bytes; more is dropped, as a full UART FIFO would) and
 * VIRQ_CONSOLE tells it.  Copies up to len bytes into buf; returns how many. */
#define CONSOLE_RX_SIZE 1024
size_t console_switch_read(char *buf, size_t len);

/* --- the pure parts, exposed for unit tests --- */

/* Escape detector state.  Zero-initialise. */
struct console_escape {
    uint8_t ch;       /* the escape character; 0: CONSOLE_ESCAPE_CHAR (Ctrl-A) */
    unsigned held;    /* escape characters seen in a row and not yet passed on */
    uint64_t last_ns; /* when the last one came */
};

/* Feed one byte c (or -1 for "nothing typed", to let held bytes time out) typed at now_ns.
 * Stores the bytes to pass on to the owner in out and returns how many (0..3); sets *do_switch
 * when c completed the escape. */
unsigned console_switch_escape(struct console_escape *e, int c, uint64_t now_ns,
                               uint8_t out[CONSOLE_ESCAPE_COUNT], bool *do_switch);

/* Keel's line editor state.  Zero-initialise. */
struct console_line {
    char buf[CONSOLE_LINE_MAX];
    unsigned len;
    uint8_t esc;  /* inside a terminal escape sequence (arrow keys): 1 after ESC, 2 after CSI */
    bool last_cr; /* a '\n' right after '\r' is the same Enter */
};

#define CONSOLE_ECHO_MAX 4

enum console_edit {
    EDIT_MORE,   /* keep typing */
    EDIT_LINE,   /* Enter: buf holds the line, NUL-terminated */
    EDIT_CANCEL, /* Ctrl-C: the line was dropped */
};

/* Feed one typed byte.  Stores what to echo in echo (*echo_len bytes).  After EDIT_LINE or
 * EDIT_CANCEL the next byte starts a new line.  Handles backspace and DEL; other control bytes
 * and terminal escape sequences are ignored; bytes past the limit ring the bell. */
enum console_edit console_switch_edit(struct console_line *l, uint8_t c,
                                      char echo[CONSOLE_ECHO_MAX], unsigned *echo_len);

/* Run one Keel console command line ("help" lists them); prints to the console. */
void console_switch_command(const char *line);

/*
 * net.h - TCP for credssp-probe: resolution once per target, connection with a deadline, and exact
 * reads and full writes on a non-blocking socket that give up at a deadline.
 *
 * Deadlines are g_get_monotonic_time() microseconds. Errors are recorded in the result (probe_fail)
 * with a sentence naming the address.
 */
#ifndef PROBE_NET_H
#define PROBE_NET_H

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

#include "result.h"

/*
 * Resolves host once and connects to its addresses in order until one accepts, before the deadline.
 * Returns the connected non-blocking socket and fills r->server, or -1 with the error in r.
 */
int net_connect(const char *host, uint16_t port, gint64 deadline, probe_result *r);

/* Waits until fd is ready for `events` (POLLIN / POLLOUT); false with PROBE_ERR_TIMEOUT at the deadline. */
bool net_wait(int fd, short events, gint64 deadline, probe_result *r, const char *what);

bool net_send_all(int fd, const uint8_t *data, size_t len, gint64 deadline, probe_result *r);

/* Reads exactly len bytes; PROBE_ERR_CLOSED when the server closes first. `what` names the awaited bytes. */
bool net_recv_exact(int fd, uint8_t *buf, size_t len, gint64 deadline, probe_result *r, const char *what);

#endif

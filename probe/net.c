/*
 * net.c - resolution, connection and deadline-bound socket I/O of credssp-probe (see net.h).
 */
#include "net.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void endpoint_of(const struct sockaddr *sa, tcp_endpoint *e)
{
    memset(e, 0, sizeof *e);
    if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
        e->family = 6;
        memcpy(e->addr, &in6->sin6_addr, 16);
        e->port = ntohs(in6->sin6_port);
    } else {
        const struct sockaddr_in *in4 = (const struct sockaddr_in *)sa;
        e->family = 4;
        memcpy(e->addr, &in4->sin_addr, 4);
        e->port = ntohs(in4->sin_port);
    }
}

static int remaining_ms(gint64 deadline)
{
    gint64 left = deadline - g_get_monotonic_time();
    if (left <= 0)
        return 0;
    return left / 1000 > G_MAXINT ? G_MAXINT : (int)((left + 999) / 1000);
}

bool net_wait(int fd, short events, gint64 deadline, probe_result *r, const char *what)
{
    struct pollfd p = {.fd = fd, .events = events};
    for (;;) {
        int ms = remaining_ms(deadline);
        int n = ms > 0 ? poll(&p, 1, ms) : 0;
        if (n > 0)
            return true;
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            probe_fail(r, PROBE_ERR_NETWORK, "poll failed: %s", g_strerror(errno));
            return false;
        }
        probe_fail(r, PROBE_ERR_TIMEOUT, "timed out waiting for %s", what);
        return false;
    }
}

static probe_error error_of_errno(int e)
{
    switch (e) {
    case ECONNREFUSED: return PROBE_ERR_REFUSED;
    case ETIMEDOUT: return PROBE_ERR_TIMEOUT;
    case ENETUNREACH:
    case EHOSTUNREACH:
    case ENETDOWN:
    case EHOSTDOWN:
    case EADDRNOTAVAIL:
    case EAFNOSUPPORT: return PROBE_ERR_UNREACHABLE;
    case ECONNRESET:
    case EPIPE: return PROBE_ERR_CLOSED;
    default: return PROBE_ERR_NETWORK;
    }
}

/* One address: 0 and the socket on success, otherwise the errno of the failure (ETIMEDOUT at the deadline). */
static int connect_one(const struct addrinfo *ai, gint64 deadline, int *fd_out)
{
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0)
        return errno;
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0 && errno != EINPROGRESS) {
        int e = errno;
        close(fd);
        return e;
    }
    struct pollfd p = {.fd = fd, .events = POLLOUT};
    int n;
    do
        n = remaining_ms(deadline) > 0 ? poll(&p, 1, remaining_ms(deadline)) : 0;
    while (n < 0 && errno == EINTR);
    int e = n == 0 ? ETIMEDOUT : n < 0 ? errno : 0;
    socklen_t len = sizeof e;
    if (n > 0 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len) < 0)
        e = errno;
    if (e != 0) {
        close(fd);
        return e;
    }
    *fd_out = fd;
    return 0;
}

int net_connect(const char *host, uint16_t port, gint64 deadline, probe_result *r)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_protocol = IPPROTO_TCP};
    struct addrinfo *list = NULL;
    char service[8];
    g_snprintf(service, sizeof service, "%u", (unsigned)port);
    int rc = getaddrinfo(host, service, &hints, &list);
    if (rc != 0) {
        probe_fail(r, PROBE_ERR_RESOLVE, "cannot resolve the host name: %s", gai_strerror(rc));
        return -1;
    }
    int fd = -1, last_error = 0;
    tcp_endpoint last = {0};
    for (const struct addrinfo *ai = list; ai && fd < 0; ai = ai->ai_next) {
        if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6)
            continue;
        endpoint_of(ai->ai_addr, &last);
        last_error = connect_one(ai, deadline, &fd);
        if (last_error == ETIMEDOUT)
            break;
    }
    freeaddrinfo(list);
    char where[TCP_ENDPOINT_TEXT_SIZE];
    tcp_endpoint_format(&last, where);
    if (fd < 0) {
        if (last_error == ETIMEDOUT)
            probe_fail(r, PROBE_ERR_TIMEOUT, "connecting to %s timed out", where);
        else if (last_error == ECONNREFUSED)
            probe_fail(r, PROBE_ERR_REFUSED, "%s refused the connection (nothing listens on that port)", where);
        else
            probe_fail(r, error_of_errno(last_error), "cannot connect to %s: %s", where, g_strerror(last_error));
        return -1;
    }
    r->connected = true;
    r->server = last;
    return fd;
}

bool net_send_all(int fd, const uint8_t *data, size_t len, gint64 deadline, probe_result *r)
{
    size_t done = 0;
    while (done < len) {
        ssize_t n = send(fd, data + done, len - done, MSG_NOSIGNAL);
        if (n > 0) {
            done += (size_t)n;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
            if (!net_wait(fd, POLLOUT, deadline, r, "the connection to accept data"))
                return false;
        } else {
            probe_fail(r, error_of_errno(errno), "sending failed: %s", g_strerror(errno));
            return false;
        }
    }
    return true;
}

bool net_recv_exact(int fd, uint8_t *buf, size_t len, gint64 deadline, probe_result *r, const char *what)
{
    size_t done = 0;
    while (done < len) {
        ssize_t n = recv(fd, buf + done, len - done, 0);
        if (n > 0) {
            done += (size_t)n;
        } else if (n == 0 || errno == ECONNRESET) {
            probe_fail(r, PROBE_ERR_CLOSED, "the server %s the connection before sending %s",
                       n == 0 ? "closed" : "reset", what);
            return false;
        } else if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
            if (!net_wait(fd, POLLIN, deadline, r, what))
                return false;
        } else {
            probe_fail(r, error_of_errno(errno), "receiving %s failed: %s", what, g_strerror(errno));
            return false;
        }
    }
    return true;
}

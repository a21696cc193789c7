/*
 * keylog_preload.c - an LD_PRELOAD library that makes any OpenSSL 3 program
 * (FreeRDP 2, impacket through pyOpenSSL) write its TLS secrets as an NSS key
 * log, and lets a recording pin the TLS version and cipher suites it offers.
 *
 * Only the sample recordings (samples/record.sh) use it: FreeRDP 2 and
 * impacket have no key-log option of their own. It wraps SSL_new(), the last
 * call before the handshake that every program makes, so settings a program
 * applied to its SSL_CTX earlier are overridden here.
 *
 * Environment (each variable is optional):
 *   SSLKEYLOGFILE      append NSS key-log lines to this file
 *   KEYLOG_MAX_TLS     highest TLS version offered: 1.0, 1.1, 1.2 or 1.3
 *   KEYLOG_CIPHERS     OpenSSL cipher list for TLS <= 1.2 (SSL_set_cipher_list)
 *   KEYLOG_CIPHERSUITES TLS 1.3 suites (SSL_set_ciphersuites)
 * A setting OpenSSL refuses aborts the program: a recording must never
 * silently capture something other than what it asked for.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/ssl.h>

typedef SSL *(*ssl_new_fn)(SSL_CTX *ctx);

/* One write() per line with O_APPEND: several recorded processes may share one key log. */
static void append_keylog_line(const SSL *ssl, const char *line)
{
    (void)ssl;
    const char *path = getenv("SSLKEYLOGFILE");
    if (path == NULL || *path == '\0')
        return;
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return;
    size_t len = strlen(line);
    char *buf = malloc(len + 1);
    if (buf != NULL) {
        memcpy(buf, line, len);
        buf[len] = '\n';
        ssize_t written = write(fd, buf, len + 1);
        (void)written; /* a short key log shows up when the sample is checked */
        free(buf);
    }
    close(fd);
}

static int tls_version_from_name(const char *name)
{
    static const struct { const char *name; int version; } versions[] = {
        { "1.0", TLS1_VERSION }, { "1.1", TLS1_1_VERSION },
        { "1.2", TLS1_2_VERSION }, { "1.3", TLS1_3_VERSION },
    };
    for (size_t i = 0; i < sizeof versions / sizeof versions[0]; i++)
        if (strcmp(name, versions[i].name) == 0)
            return versions[i].version;
    return 0;
}

static void die(const char *what, const char *value)
{
    fprintf(stderr, "keylog_preload: cannot apply %s=%s\n", what, value);
    abort();
}

static void apply_recording_settings(SSL *ssl)
{
    const char *max_tls = getenv("KEYLOG_MAX_TLS");
    if (max_tls != NULL && *max_tls != '\0') {
        int version = tls_version_from_name(max_tls);
        if (version == 0 || !SSL_set_max_proto_version(ssl, version))
            die("KEYLOG_MAX_TLS", max_tls);
        /* TLS 1.0/1.1 need security level 0 in OpenSSL 3 */
        if (version < TLS1_2_VERSION)
            SSL_set_security_level(ssl, 0);
    }
    const char *ciphers = getenv("KEYLOG_CIPHERS");
    if (ciphers != NULL && *ciphers != '\0' && !SSL_set_cipher_list(ssl, ciphers))
        die("KEYLOG_CIPHERS", ciphers);
    const char *suites = getenv("KEYLOG_CIPHERSUITES");
    if (suites != NULL && *suites != '\0' && !SSL_set_ciphersuites(ssl, suites))
        die("KEYLOG_CIPHERSUITES", suites);
}

SSL *SSL_new(SSL_CTX *ctx)
{
    static ssl_new_fn real_ssl_new;
    if (real_ssl_new == NULL) {
        real_ssl_new = (ssl_new_fn)dlsym(RTLD_NEXT, "SSL_new");
        if (real_ssl_new == NULL) {
            fprintf(stderr, "keylog_preload: SSL_new not found\n");
            abort();
        }
    }
    /* OpenSSL reads the callback from the SSL's context when it logs a secret. */
    if (ctx != NULL)
        SSL_CTX_set_keylog_callback(ctx, append_keylog_line);
    SSL *ssl = real_ssl_new(ctx);
    if (ssl != NULL)
        apply_recording_settings(ssl);
    return ssl;
}

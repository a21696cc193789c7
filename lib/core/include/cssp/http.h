/*
 * http.h - the HTTP/1.1 message head and chunked framing an RD Gateway speaks ([MS-TSGU] 2.2.5, RFC 9112).
 *
 * A head is the start line and the header fields up to the blank line. The decoder keeps no copy of the
 * fields: each is an offset and a length into the caller's bytes, which must outlive the head. The method
 * and target are copied as printable ASCII (others replaced by '?') so that both tools may print them.
 * Limits: a head longer than CSSP_HTTP_MAX_HEAD bytes, or a chunk-size line longer than
 * CSSP_HTTP_MAX_CHUNK_LINE, is refused; fields past CSSP_HTTP_MAX_FIELDS are counted but not kept.
 */
#ifndef CSSP_HTTP_H
#define CSSP_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cssp/status.h"

#define CSSP_HTTP_MAX_HEAD 16384        /* mstsc's request with a Kerberos token in Authorization is ~3.2 KB */
#define CSSP_HTTP_MAX_FIELDS 48
#define CSSP_HTTP_METHOD_MAX 32         /* bytes kept of a method, NUL included */
#define CSSP_HTTP_TARGET_MAX 128        /* bytes kept of a request target, NUL included */
#define CSSP_HTTP_MAX_CHUNK_LINE 64     /* chunk-size, extensions and CRLF */

typedef struct cssp_http_field {
    size_t name_off, name_len;          /* into the decoded bytes */
    size_t value_off, value_len;        /* without the surrounding whitespace */
} cssp_http_field;

typedef struct cssp_http_head {
    bool is_request;
    char method[CSSP_HTTP_METHOD_MAX];  /* request: "RDG_OUT_DATA", "GET", ... */
    char target[CSSP_HTTP_TARGET_MAX];  /* request: "/remoteDesktopGateway/" */
    unsigned status;                    /* response: 101, 200, 401, ... */
    unsigned version_minor;             /* HTTP/1.x */
    size_t head_len;                    /* bytes of the head, the blank line included */
    unsigned field_count;               /* all fields seen; the first CSSP_HTTP_MAX_FIELDS are kept */
    cssp_http_field fields[CSSP_HTTP_MAX_FIELDS];
} cssp_http_head;

/*
 * Decodes the head at the start of data. CSSP_ERR_TRUNCATED: the blank line is not there yet (wait for
 * more); CSSP_ERR_LENGTH_TOO_LONG: no blank line within CSSP_HTTP_MAX_HEAD bytes; CSSP_ERR_NOT_RECOGNISED:
 * the first line is neither a request line nor an HTTP/1.x status line (decided on the first word when the
 * line is not complete yet); CSSP_ERR_BAD_ENCODING: a field line
 * without a colon, or a control character where none may be.
 */
cssp_status cssp_http_head_decode(const uint8_t *data, size_t len, cssp_http_head *out);

/* The value of the first field with this name (case-insensitive); false when absent. */
bool cssp_http_field_value(const cssp_http_head *head, const uint8_t *data, const char *name, const uint8_t **value,
                           size_t *value_len);
/* Does a field of this name list this token (comma-separated, case-insensitive)? "Connection: keep-alive, Upgrade" */
bool cssp_http_field_has_token(const cssp_http_head *head, const uint8_t *data, const char *name, const char *token);

/* HTTP authentication schemes, as named in WWW-Authenticate / Authorization. */
typedef enum cssp_http_auth {
    CSSP_HTTP_AUTH_NONE = 0,
    CSSP_HTTP_AUTH_NEGOTIATE,
    CSSP_HTTP_AUTH_NTLM,
    CSSP_HTTP_AUTH_BASIC,
    CSSP_HTTP_AUTH_DIGEST,
    CSSP_HTTP_AUTH_BEARER,
    CSSP_HTTP_AUTH_OTHER
} cssp_http_auth;

/* The scheme of a credentials or challenge value ("Negotiate YIIH..." -> NEGOTIATE). */
cssp_http_auth cssp_http_auth_scheme(const uint8_t *value, size_t len);
/* "Negotiate", "NTLM", ... or NULL for NONE. */
const char *cssp_http_auth_name(cssp_http_auth scheme);

/*
 * A chunk-size line of the chunked transfer coding: "1a;ext=1\r\n" -> size 26, line_len 10. Sizes above
 * 0xFFFFFFFF are CSSP_ERR_LENGTH_TOO_LONG; CSSP_ERR_TRUNCATED: no CRLF yet (and fewer than
 * CSSP_HTTP_MAX_CHUNK_LINE bytes); CSSP_ERR_BAD_ENCODING: not a hexadecimal size.
 */
cssp_status cssp_http_chunk_line(const uint8_t *data, size_t len, uint32_t *size, size_t *line_len);

#endif

/*
 * http.c - HTTP/1.1 message heads and chunk-size lines (see http.h).
 *
 * Lines are cut with cssp_get_line(); the grammar is RFC 9112's, read strictly where it decides what the
 * bytes are (start line, field name, colon) and leniently elsewhere (obsolete line folding is refused as
 * malformed: RFC 9112 5.2 lets a recipient reject it, and neither mstsc nor an RD Gateway sends it).
 */
#include "cssp/http.h"

#include <string.h>

#include "cssp/reader.h"

static bool is_tchar(uint8_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static uint8_t lower(uint8_t c)
{
    return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
}

static bool equal_nocase(const uint8_t *a, size_t len, const char *b)
{
    if (strlen(b) != len)
        return false;
    for (size_t i = 0; i < len; i++)
        if (lower(a[i]) != lower((uint8_t)b[i]))
            return false;
    return true;
}

/* Copies the reader's next n bytes as printable ASCII ('?' for others), cut to fit the NUL. */
static void copy_printable(cssp_reader *r, size_t n, char *out, size_t size)
{
    size_t used = 0;
    for (size_t i = 0; i < n; i++) {
        uint8_t c;
        cssp_get_u8(r, &c);
        if (used + 1 < size)
            out[used++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
    }
    out[used] = '\0';
}

/* Bytes before the next space (or the end of the line). */
static size_t span_to_space(const cssp_reader *line)
{
    cssp_reader probe = *line;
    size_t n = 0;
    uint8_t c;
    while (cssp_reader_remaining(&probe) && cssp_get_u8(&probe, &c) && c != ' ')
        n++;
    return n;
}

/* "HTTP/1.x" at the reader, advancing past it. */
static bool get_version(cssp_reader *r, unsigned *minor)
{
    uint8_t digit;
    if (!cssp_reader_starts_with(r, "HTTP/1.", 7) || !cssp_skip(r, 7) || !cssp_get_u8(r, &digit) ||
        digit < '0' || digit > '9')
        return false;
    *minor = digit - '0';
    return true;
}

static cssp_status decode_status_line(cssp_reader *line, cssp_http_head *out)
{
    uint8_t sp, d[3];
    if (!get_version(line, &out->version_minor) || !cssp_get_u8(line, &sp) || sp != ' ')
        return CSSP_ERR_NOT_RECOGNISED;
    for (int i = 0; i < 3; i++)
        if (!cssp_get_u8(line, &d[i]) || d[i] < '0' || d[i] > '9')
            return CSSP_ERR_NOT_RECOGNISED;
    out->status = (unsigned)(d[0] - '0') * 100 + (unsigned)(d[1] - '0') * 10 + (unsigned)(d[2] - '0');
    return CSSP_OK; /* the reason phrase says nothing a program should act on */
}

static cssp_status decode_request_line(cssp_reader *line, cssp_http_head *out)
{
    size_t method_len = span_to_space(line);
    cssp_reader method_copy = *line;
    const uint8_t *method;
    if (method_len == 0 || !cssp_get_bytes(line, method_len, &method))
        return CSSP_ERR_NOT_RECOGNISED;
    for (size_t i = 0; i < method_len; i++)
        if (!is_tchar(method[i]))
            return CSSP_ERR_NOT_RECOGNISED;
    copy_printable(&method_copy, method_len, out->method, sizeof out->method);
    uint8_t sp;
    cssp_get_u8(line, &sp);
    size_t target_len = span_to_space(line);
    if (target_len == 0)
        return CSSP_ERR_NOT_RECOGNISED;
    copy_printable(line, target_len, out->target, sizeof out->target);
    if (!cssp_get_u8(line, &sp) || sp != ' ' || !get_version(line, &out->version_minor) ||
        cssp_reader_remaining(line) != 0)
        return CSSP_ERR_NOT_RECOGNISED;
    out->is_request = true;
    return CSSP_OK;
}

static bool is_ows(uint8_t c)
{
    return c == ' ' || c == '\t';
}

static cssp_status decode_field(cssp_reader *line, cssp_http_head *out)
{
    size_t start = line->pos, name_len = 0;
    uint8_t c = 0;
    while (cssp_get_u8(line, &c) && c != ':') {
        if (!is_tchar(c))
            return CSSP_ERR_BAD_ENCODING;
        name_len++;
    }
    if (c != ':' || name_len == 0)
        return CSSP_ERR_BAD_ENCODING;
    size_t value_off = line->pos, value_end = line->len;
    cssp_reader value = *line;
    while (cssp_get_u8(&value, &c)) {
        if (c < 0x20 && c != '\t')
            return CSSP_ERR_BAD_ENCODING;
    }
    while (value_off < value_end && is_ows(line->data[value_off]))
        value_off++;
    while (value_end > value_off && is_ows(line->data[value_end - 1]))
        value_end--;
    if (out->field_count < CSSP_HTTP_MAX_FIELDS)
        out->fields[out->field_count] = (cssp_http_field){
            .name_off = start, .name_len = name_len, .value_off = value_off, .value_len = value_end - value_off};
    out->field_count++;
    return CSSP_OK;
}

/*
 * Can these bytes begin a start line (a method, or "HTTP/1.x", then a space)? Decided on the first word, so
 * that other protocols are told apart before a whole line arrives.
 */
static bool may_start_head(const uint8_t *data, size_t len)
{
    cssp_reader r;
    cssp_reader_init(&r, data, len);
    uint8_t c;
    for (size_t n = 0; cssp_get_u8(&r, &c); n++) {
        if (c == ' ')
            return n > 0;
        if ((!is_tchar(c) && c != '/') || n + 1 >= CSSP_HTTP_METHOD_MAX)
            return false;
    }
    return true;
}

cssp_status cssp_http_head_decode(const uint8_t *data, size_t len, cssp_http_head *out)
{
    memset(out, 0, sizeof *out);
    if (!may_start_head(data, len))
        return CSSP_ERR_NOT_RECOGNISED;
    cssp_reader r, line;
    cssp_reader_init(&r, data, len > CSSP_HTTP_MAX_HEAD ? CSSP_HTTP_MAX_HEAD : len);
    if (!cssp_get_line(&r, &line))
        return len >= CSSP_HTTP_MAX_HEAD ? CSSP_ERR_LENGTH_TOO_LONG : CSSP_ERR_TRUNCATED;
    cssp_status st = cssp_reader_starts_with(&line, "HTTP/", 5) ? decode_status_line(&line, out)
                                                                 : decode_request_line(&line, out);
    if (st != CSSP_OK)
        return st;
    for (;;) {
        if (!cssp_get_line(&r, &line))
            return len >= CSSP_HTTP_MAX_HEAD ? CSSP_ERR_LENGTH_TOO_LONG : CSSP_ERR_TRUNCATED;
        if (cssp_reader_remaining(&line) == 0)
            break;
        if ((st = decode_field(&line, out)) != CSSP_OK)
            return st;
    }
    out->head_len = r.pos;
    return CSSP_OK;
}

bool cssp_http_field_value(const cssp_http_head *head, const uint8_t *data, const char *name, const uint8_t **value,
                           size_t *value_len)
{
    unsigned kept = head->field_count < CSSP_HTTP_MAX_FIELDS ? head->field_count : CSSP_HTTP_MAX_FIELDS;
    for (unsigned i = 0; i < kept; i++) {
        const cssp_http_field *f = &head->fields[i];
        if (equal_nocase(data + f->name_off, f->name_len, name)) {
            *value = data + f->value_off;
            *value_len = f->value_len;
            return true;
        }
    }
    *value = NULL;
    *value_len = 0;
    return false;
}

bool cssp_http_field_has_token(const cssp_http_head *head, const uint8_t *data, const char *name, const char *token)
{
    const uint8_t *value;
    size_t len;
    if (!cssp_http_field_value(head, data, name, &value, &len))
        return false;
    cssp_reader r;
    cssp_reader_init(&r, value, len);
    while (cssp_reader_remaining(&r)) {
        size_t start = r.pos, n = 0;
        uint8_t c;
        while (cssp_get_u8(&r, &c) && c != ',')
            n++;
        size_t a = start, b = start + n;
        while (a < b && is_ows(value[a]))
            a++;
        while (b > a && is_ows(value[b - 1]))
            b--;
        if (equal_nocase(value + a, b - a, token))
            return true;
    }
    return false;
}

static const struct {
    const char *name;
    cssp_http_auth scheme;
} auth_schemes[] = {
    {"Negotiate", CSSP_HTTP_AUTH_NEGOTIATE}, {"NTLM", CSSP_HTTP_AUTH_NTLM},     {"Basic", CSSP_HTTP_AUTH_BASIC},
    {"Digest", CSSP_HTTP_AUTH_DIGEST},       {"Bearer", CSSP_HTTP_AUTH_BEARER},
};

cssp_http_auth cssp_http_auth_scheme(const uint8_t *value, size_t len)
{
    size_t n = 0;
    while (n < len && is_tchar(value[n]))
        n++;
    if (n == 0)
        return CSSP_HTTP_AUTH_NONE;
    for (size_t i = 0; i < sizeof auth_schemes / sizeof auth_schemes[0]; i++)
        if (equal_nocase(value, n, auth_schemes[i].name))
            return auth_schemes[i].scheme;
    return CSSP_HTTP_AUTH_OTHER;
}

const char *cssp_http_auth_name(cssp_http_auth scheme)
{
    for (size_t i = 0; i < sizeof auth_schemes / sizeof auth_schemes[0]; i++)
        if (auth_schemes[i].scheme == scheme)
            return auth_schemes[i].name;
    return scheme == CSSP_HTTP_AUTH_OTHER ? "other" : NULL;
}

static int hex_value(uint8_t c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = lower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

cssp_status cssp_http_chunk_line(const uint8_t *data, size_t len, uint32_t *size, size_t *line_len)
{
    *size = 0;
    *line_len = 0;
    cssp_reader r, line;
    cssp_reader_init(&r, data, len > CSSP_HTTP_MAX_CHUNK_LINE ? CSSP_HTTP_MAX_CHUNK_LINE : len);
    if (!cssp_get_line(&r, &line))
        return len >= CSSP_HTTP_MAX_CHUNK_LINE ? CSSP_ERR_LENGTH_TOO_LONG : CSSP_ERR_TRUNCATED;
    uint64_t value = 0;
    unsigned digits = 0;
    uint8_t c;
    while (cssp_get_u8(&line, &c) && hex_value(c) >= 0) {
        value = value << 4 | (uint64_t)hex_value(c);
        if (value > UINT32_MAX)
            return CSSP_ERR_LENGTH_TOO_LONG;
        digits++;
    }
    /* what follows the digits may only be whitespace or an extension */
    if (digits == 0 || (!line.overrun && c != ';' && !is_ows(c)))
        return CSSP_ERR_BAD_ENCODING;
    *size = (uint32_t)value;
    *line_len = r.pos;
    return CSSP_OK;
}

/* json.c - the JSON writer of both reports (see json.h). */
#include "cssp/json.h"

#include <string.h>

#include "cssp/names.h"

#define REPLACEMENT_CHARACTER "\xEF\xBF\xBD" /* U+FFFD in UTF-8 */

void cssp_json_raw(const cssp_json *j, const char *bytes, size_t len)
{
    if (len)
        j->write(j->ctx, bytes, len);
}

/*
 * Bytes that stand in a JSON string as they are: printable ASCII but '"' and '\\'. One load per byte: most of
 * the text of a report is such runs, copied at once.
 */
#define PLAIN_ROW(first) [first] = 1, [first + 1] = 1, [first + 2] = 1, [first + 3] = 1
static const uint8_t plain_ascii[256] = {
    [0x20] = 1, [0x21] = 1, [0x23] = 1, /* not '"' */
    PLAIN_ROW(0x24), PLAIN_ROW(0x28), PLAIN_ROW(0x2C), PLAIN_ROW(0x30), PLAIN_ROW(0x34), PLAIN_ROW(0x38),
    PLAIN_ROW(0x3C), PLAIN_ROW(0x40), PLAIN_ROW(0x44), PLAIN_ROW(0x48), PLAIN_ROW(0x4C), PLAIN_ROW(0x50),
    PLAIN_ROW(0x54), PLAIN_ROW(0x58),
    [0x5D] = 1, [0x5E] = 1, [0x5F] = 1, /* not '\\' */
    PLAIN_ROW(0x60), PLAIN_ROW(0x64), PLAIN_ROW(0x68), PLAIN_ROW(0x6C), PLAIN_ROW(0x70), PLAIN_ROW(0x74),
    PLAIN_ROW(0x78),
    [0x7C] = 1, [0x7D] = 1, [0x7E] = 1, /* not DEL */
};


/*
 * The length of the valid UTF-8 sequence at p (2 to 4 bytes: no overlong form, no surrogate, nothing above
 * U+10FFFF), and its code point; 0 when the byte at p starts none. p is NUL-terminated.
 */
static size_t utf8_sequence(const unsigned char *p, uint32_t *code_point)
{
    unsigned char c = p[0];
    size_t len;
    uint32_t cp, min;
    if (c >= 0xC2 && c <= 0xDF)
        len = 2, cp = c & 0x1Fu, min = 0x80;
    else if (c >= 0xE0 && c <= 0xEF)
        len = 3, cp = c & 0x0Fu, min = 0x800;
    else if (c >= 0xF0 && c <= 0xF4)
        len = 4, cp = c & 0x07u, min = 0x10000;
    else
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80) /* a NUL ends the string here too */
            return 0;
        cp = cp << 6 | (p[i] & 0x3Fu);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    *code_point = cp;
    return len;
}

static void escape_control(const cssp_json *j, uint32_t c)
{
    static const char hex[] = "0123456789abcdef";
    char u[6] = {'\\', 'u', '0', '0', hex[(c >> 4) & 0xF], hex[c & 0xF]};
    cssp_json_raw(j, u, sizeof u);
}

void cssp_json_string(const cssp_json *j, const char *text)
{
    if (!text) {
        cssp_json_literal(j, "null");
        return;
    }
    cssp_json_literal(j, "\"");
    const unsigned char *p = (const unsigned char *)text;
    while (*p) {
        const unsigned char *run = p;
        while (plain_ascii[*p])
            p++;
        cssp_json_raw(j, (const char *)run, (size_t)(p - run));
        if (!*p)
            break;
        uint32_t cp = *p;
        size_t len = *p < 0x80 ? 1 : utf8_sequence(p, &cp);
        if (len == 0) {
            cssp_json_literal(j, REPLACEMENT_CHARACTER);
            p++;
            continue;
        }
        switch (cp) {
        case '"': cssp_json_literal(j, "\\\""); break;
        case '\\': cssp_json_literal(j, "\\\\"); break;
        case '\n': cssp_json_literal(j, "\\n"); break;
        case '\r': cssp_json_literal(j, "\\r"); break;
        case '\t': cssp_json_literal(j, "\\t"); break;
        default:
            if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F))
                escape_control(j, cp);
            else
                cssp_json_raw(j, (const char *)p, len);
        }
        p += len;
    }
    cssp_json_literal(j, "\"");
}

void cssp_json_key(const cssp_json *j, const char *key)
{
    cssp_json_literal(j, ",\"");
    cssp_json_raw(j, key, strlen(key));
    cssp_json_literal(j, "\":");
}

/* The decimal digits of value, written backwards from end; returns where they start. */
static char *digits(char *end, uint64_t value)
{
    do {
        *--end = (char)('0' + value % 10);
        value /= 10;
    } while (value);
    return end;
}

void cssp_json_uint_or_null(const cssp_json *j, bool present, uint64_t value)
{
    if (!present) {
        cssp_json_literal(j, "null");
        return;
    }
    char buf[24], *end = buf + sizeof buf;
    char *start = digits(end, value);
    cssp_json_raw(j, start, (size_t)(end - start));
}

void cssp_json_bool(const cssp_json *j, bool value)
{
    if (value)
        cssp_json_literal(j, "true");
    else
        cssp_json_literal(j, "false");
}

void cssp_json_os(const cssp_json *j, bool present, uint8_t major, uint8_t minor, uint16_t build)
{
    if (!present) {
        cssp_json_literal(j, "null");
        return;
    }
    char buf[24], *end = buf + sizeof buf, *p = end;
    *--p = '"';
    p = digits(p, build);
    *--p = '.';
    p = digits(p, minor);
    *--p = '.';
    p = digits(p, major);
    *--p = '"';
    cssp_json_raw(j, p, (size_t)(end - p));
}

void cssp_json_findings(const cssp_json *j, unsigned findings)
{
    cssp_json_literal(j, "[");
    const char *sep = "";
    for (unsigned i = 0; i < CSSP_FINDING_COUNT; i++) {
        if (!(findings & (1u << i)))
            continue;
        cssp_json_raw(j, sep, strlen(sep));
        cssp_json_string(j, cssp_finding_name(1u << i));
        sep = ",";
    }
    cssp_json_literal(j, "]");
}

/* An unknown selectedProtocol as "0x1F". */
static void hex_string(const cssp_json *j, uint32_t value)
{
    static const char hex[] = "0123456789ABCDEF";
    char buf[12], *end = buf + sizeof buf, *p = end;
    *--p = '"';
    do {
        *--p = hex[value & 0xF];
        value >>= 4;
    } while (value);
    *--p = 'x';
    *--p = '0';
    *--p = '"';
    cssp_json_raw(j, p, (size_t)(end - p));
}

void cssp_json_negotiation(const cssp_json *j, const cssp_facts *f)
{
    char buf[512]; /* every one of the 32 bits named */
    cssp_json_key(j, "requested_protocols");
    if (f->has_request && f->request_has_neg) {
        cssp_json_literal(j, "[\"");
        const char *names = cssp_format_protocols(f->requested_protocols, "\",\"", buf, sizeof buf);
        cssp_json_raw(j, names, strlen(names));
        cssp_json_literal(j, "\"]");
    } else if (f->has_request) {
        cssp_json_literal(j, "[]");
    } else {
        cssp_json_literal(j, "null");
    }
    cssp_json_key(j, "selected_protocol");
    if (f->has_response) {
        const char *name = cssp_protocol_name(f->selected_protocol);
        if (name)
            cssp_json_string(j, name);
        else
            hex_string(j, f->selected_protocol);
    } else {
        cssp_json_literal(j, "null");
    }
    cssp_json_key(j, "negotiation_failure");
    cssp_json_string(j, f->has_failure ? cssp_format_neg_failure(f->failure_code, buf, sizeof buf) : NULL);
}

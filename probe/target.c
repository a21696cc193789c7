/*
 * target.c - parsing of HOST[:PORT] targets and of target files (see target.h).
 */
#include "target.h"

#include <errno.h>
#include <string.h>

#include "cssp/roles.h"

static bool parse_port(const char *text, uint16_t *port)
{
    guint64 value;
    if (!g_ascii_string_to_unsigned(text, 10, 1, 65535, &value, NULL))
        return false;
    *port = (uint16_t)value;
    return true;
}

bool target_parse(const char *text, char **host, uint16_t *port, const char **why)
{
    *host = NULL;
    *port = CSSP_RDP_PORT;
    const char *colon = strrchr(text, ':');
    if (text[0] == '[') {
        const char *close = strchr(text, ']');
        if (!close || close == text + 1) {
            *why = "an IPv6 address in brackets needs its closing ']'";
            return false;
        }
        if (close[1] != '\0' && (close[1] != ':' || !parse_port(close + 2, port))) {
            *why = "the port after ']:' must be a number from 1 to 65535";
            return false;
        }
        *host = g_strndup(text + 1, (gsize)(close - text - 1));
        return true;
    }
    if (colon && strchr(text, ':') != colon) { /* two colons or more: a bare IPv6 address, default port */
        *host = g_strdup(text);
        return true;
    }
    if (colon && !parse_port(colon + 1, port)) {
        *why = "the port after ':' must be a number from 1 to 65535";
        return false;
    }
    size_t host_len = colon ? (size_t)(colon - text) : strlen(text);
    if (host_len == 0) {
        *why = "the host is empty";
        return false;
    }
    *host = g_strndup(text, host_len);
    return true;
}

bool target_read_file(const char *path, GPtrArray *targets, FILE *err)
{
    bool stdin_file = strcmp(path, "-") == 0;
    FILE *f = stdin_file ? stdin : fopen(path, "r");
    if (!f) {
        fprintf(err, "credssp-probe: %s: %s\n", path, g_strerror(errno));
        return false;
    }
    char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, f) >= 0) {
        char *t = g_strstrip(line);
        if (t[0] && t[0] != '#')
            g_ptr_array_add(targets, g_strdup(t));
    }
    bool ok = !ferror(f);
    if (!ok)
        fprintf(err, "credssp-probe: %s: %s\n", path, g_strerror(errno));
    free(line);
    if (!stdin_file)
        fclose(f);
    return ok;
}

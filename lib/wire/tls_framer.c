/* tls_framer.c - TLS record framing with a one-record buffer (see tls_framer.h). */
#include "cssp/tls_framer.h"

#include <string.h>

#include <glib.h>

#include "cssp/reader.h"

void tls_record_header_read(const uint8_t bytes[TLS_RECORD_HEADER_LEN], tls_record_header *out)
{
    cssp_reader r;
    cssp_reader_init(&r, bytes, TLS_RECORD_HEADER_LEN);
    cssp_get_u8(&r, &out->content_type);
    cssp_get_be16(&r, &out->version);
    cssp_get_be16(&r, &out->length);
    memcpy(out->bytes, bytes, TLS_RECORD_HEADER_LEN);
}

static bool header_is_plausible(const tls_record_header *h)
{
    return h->content_type >= TLS_CONTENT_CHANGE_CIPHER_SPEC && h->content_type <= TLS_CONTENT_HEARTBEAT &&
           h->version >> 8 == 3 && (h->version & 0xFF) <= 4 && h->length <= TLS_MAX_RECORD_LEN;
}

bool tls_record_start(const uint8_t *bytes, size_t len)
{
    cssp_reader r;
    uint8_t content_type;
    uint16_t version;
    cssp_reader_init(&r, bytes, len);
    return cssp_get_u8(&r, &content_type) && cssp_get_be16(&r, &version) &&
           content_type >= TLS_CONTENT_CHANGE_CIPHER_SPEC && content_type <= TLS_CONTENT_APPLICATION_DATA &&
           version >> 8 == 3 && (version & 0xFF) <= 4;
}

void tls_framer_reset(tls_framer *f)
{
    g_free(f->fragment);
    memset(f, 0, sizeof *f);
}

/*
 * A record that arrives whole in one call is passed from `bytes` as it is; only a record split across calls
 * is copied into a buffer of its own, freed once the record is complete: no allocation per record otherwise.
 */
tls_framer_result tls_framer_feed(tls_framer *f, const uint8_t *bytes, size_t len, tls_record_fn on_record,
                                  void *user)
{
    while (len > 0) {
        if (f->header_len < TLS_RECORD_HEADER_LEN) {
            size_t take = MIN(len, TLS_RECORD_HEADER_LEN - f->header_len);
            memcpy(f->header_bytes + f->header_len, bytes, take);
            f->header_len += take;
            bytes += take;
            len -= take;
            if (f->header_len < TLS_RECORD_HEADER_LEN)
                return TLS_FRAMER_OK;
            tls_record_header_read(f->header_bytes, &f->header);
            if (!header_is_plausible(&f->header))
                return TLS_FRAMER_NOT_TLS;
        }
        size_t length = f->header.length;
        const uint8_t *fragment = bytes;
        uint8_t *owned = NULL;
        if (f->fragment_have == 0 && len >= length) {
            bytes += length;
            len -= length;
        } else {
            size_t take = MIN(len, length - f->fragment_have);
            if (take == 0)
                return TLS_FRAMER_OK; /* the header ended these bytes */
            if (!f->fragment)
                f->fragment = g_malloc(length);
            memcpy(f->fragment + f->fragment_have, bytes, take);
            f->fragment_have += take;
            bytes += take;
            len -= take;
            if (f->fragment_have < length)
                return TLS_FRAMER_OK;
            fragment = owned = f->fragment;
        }
        tls_record_header header = f->header;
        f->fragment = NULL;
        f->fragment_have = 0;
        f->header_len = 0;
        bool go_on = on_record(user, &header, fragment, length);
        g_free(owned);
        if (!go_on)
            return TLS_FRAMER_STOPPED;
    }
    return TLS_FRAMER_OK;
}

size_t tls_framer_held_bytes(const tls_framer *f)
{
    return f->fragment ? f->header.length : 0;
}

/* tls_handshake.c - ClientHello, ServerHello and ClientKeyExchange decoders (see tls_handshake.h). */
#include "cssp/tls_handshake.h"

#include <string.h>

#include "cssp/reader.h"

/* SHA-256("HelloRetryRequest"): the ServerHello.random of a HelloRetryRequest (RFC 8446, 4.1.3). */
static const uint8_t hello_retry_random[TLS_RANDOM_LEN] = {
    0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
    0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C,
};

/* Skips a vector with a length prefix of 1 or 2 bytes. */
static bool skip_vector(cssp_reader *r, int prefix_len)
{
    uint8_t len8;
    uint16_t len16;
    if (prefix_len == 1)
        return cssp_get_u8(r, &len8) && cssp_skip(r, len8);
    return cssp_get_be16(r, &len16) && cssp_skip(r, len16);
}

/* What the extension block says about the extensions this decrypter cares about. */
typedef struct extension_flags {
    bool ems;
    bool etm;
    bool has_supported_version;
    uint16_t supported_version; /* the ServerHello form: one version */
} extension_flags;

/* Reads the optional extensions block that ends a hello; `server` selects the ServerHello form. */
static cssp_status read_extensions(cssp_reader *r, bool server, extension_flags *flags)
{
    memset(flags, 0, sizeof *flags);
    if (cssp_reader_remaining(r) == 0)
        return CSSP_OK; /* hellos without extensions are legal */
    uint16_t block_len;
    cssp_reader block;
    if (!cssp_get_be16(r, &block_len) || !cssp_get_sub(r, block_len, &block))
        return CSSP_ERR_LENGTH_PAST_END;
    while (cssp_reader_remaining(&block) > 0) {
        uint16_t type, ext_len;
        cssp_reader ext;
        if (!cssp_get_be16(&block, &type) || !cssp_get_be16(&block, &ext_len) ||
            !cssp_get_sub(&block, ext_len, &ext))
            return CSSP_ERR_LENGTH_PAST_END;
        if (type == TLS_EXT_EXTENDED_MASTER_SECRET)
            flags->ems = true;
        else if (type == TLS_EXT_ENCRYPT_THEN_MAC)
            flags->etm = true;
        else if (type == TLS_EXT_SUPPORTED_VERSIONS && server) {
            if (!cssp_get_be16(&ext, &flags->supported_version))
                return CSSP_ERR_TRUNCATED;
            flags->has_supported_version = true;
        }
    }
    return cssp_reader_remaining(r) == 0 ? CSSP_OK : CSSP_ERR_BAD_ENCODING;
}

static bool read_random(cssp_reader *r, uint8_t random[TLS_RANDOM_LEN])
{
    const uint8_t *bytes;
    if (!cssp_get_bytes(r, TLS_RANDOM_LEN, &bytes))
        return false;
    memcpy(random, bytes, TLS_RANDOM_LEN);
    return true;
}

cssp_status tls_parse_client_hello(const uint8_t *body, size_t len, tls_client_hello *out)
{
    memset(out, 0, sizeof *out);
    cssp_reader r;
    cssp_reader_init(&r, body, len);
    if (!cssp_get_be16(&r, &out->legacy_version) || !read_random(&r, out->random) ||
        !skip_vector(&r, 1) /* session id */ || !skip_vector(&r, 2) /* cipher suites */ ||
        !skip_vector(&r, 1) /* compression methods */)
        return CSSP_ERR_TRUNCATED;
    extension_flags flags;
    cssp_status st = read_extensions(&r, false, &flags);
    out->offers_ems = flags.ems;
    out->offers_etm = flags.etm;
    return st;
}

void tls_handshake_header(const uint8_t header[TLS_HANDSHAKE_HEADER_LEN], uint8_t *type, size_t *body_len)
{
    cssp_reader r;
    cssp_reader_init(&r, header, TLS_HANDSHAKE_HEADER_LEN);
    uint32_t len;
    cssp_get_u8(&r, type);
    cssp_get_be24(&r, &len);
    *body_len = len;
}

bool tls_handshake_message(const uint8_t *bytes, size_t len, uint8_t *type, const uint8_t **body, size_t *body_len)
{
    cssp_reader r;
    cssp_reader_init(&r, bytes, len);
    uint32_t n;
    return cssp_get_u8(&r, type) && cssp_get_be24(&r, &n) && cssp_get_bytes(&r, *body_len = n, body);
}

cssp_status tls_parse_server_hello(const uint8_t *body, size_t len, tls_server_hello *out)
{
    memset(out, 0, sizeof *out);
    cssp_reader r;
    cssp_reader_init(&r, body, len);
    uint8_t compression;
    if (!cssp_get_be16(&r, &out->version) || !read_random(&r, out->random) ||
        !skip_vector(&r, 1) /* session id */ || !cssp_get_be16(&r, &out->cipher_suite) ||
        !cssp_get_u8(&r, &compression))
        return CSSP_ERR_TRUNCATED;
    extension_flags flags;
    cssp_status st = read_extensions(&r, true, &flags);
    out->ems = flags.ems;
    out->etm = flags.etm;
    if (flags.has_supported_version)
        out->version = flags.supported_version;
    out->hello_retry_request = memcmp(out->random, hello_retry_random, TLS_RANDOM_LEN) == 0;
    return st;
}

cssp_status tls_parse_rsa_client_key_exchange(const uint8_t *body, size_t len, const uint8_t **encrypted,
                                              size_t *encrypted_len)
{
    cssp_reader r;
    cssp_reader_init(&r, body, len);
    uint16_t n;
    *encrypted = NULL;
    *encrypted_len = 0;
    if (!cssp_get_be16(&r, &n) || !cssp_get_bytes(&r, n, encrypted))
        return CSSP_ERR_LENGTH_PAST_END;
    if (cssp_reader_remaining(&r) != 0)
        return CSSP_ERR_BAD_ENCODING;
    *encrypted_len = n;
    return CSSP_OK;
}

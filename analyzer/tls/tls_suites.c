/* tls_suites.c - the table of decryptable TLS cipher suites (see tls_suites.h). */
#include "tls_suites.h"

#include "cssp/names.h"

#define AEAD_GCM(id, kx, bits, prf) \
    { id, kx, TLS_PROTECT_GCM, "AES-" #bits "-GCM", bits / 8, 4, NULL, 0, prf }
#define AEAD_CHACHA(id, kx) \
    { id, kx, TLS_PROTECT_CHACHA, "ChaCha20-Poly1305", 32, 12, NULL, 0, "SHA256" }
#define CBC(id, kx, bits, mac, maclen, prf) \
    { id, kx, TLS_PROTECT_CBC, "AES-" #bits "-CBC", bits / 8, 16, mac, maclen, prf }

static const tls_suite suites[] = {
    AEAD_GCM(0x1301, TLS_KX_TLS13, 128, "SHA256"),
    AEAD_GCM(0x1302, TLS_KX_TLS13, 256, "SHA384"),
    AEAD_CHACHA(0x1303, TLS_KX_TLS13),

    AEAD_GCM(0x009C, TLS_KX_RSA, 128, "SHA256"),
    AEAD_GCM(0x009D, TLS_KX_RSA, 256, "SHA384"),
    AEAD_GCM(0x009E, TLS_KX_EPHEMERAL, 128, "SHA256"),
    AEAD_GCM(0x009F, TLS_KX_EPHEMERAL, 256, "SHA384"),
    AEAD_GCM(0xC02B, TLS_KX_EPHEMERAL, 128, "SHA256"),
    AEAD_GCM(0xC02C, TLS_KX_EPHEMERAL, 256, "SHA384"),
    AEAD_GCM(0xC02F, TLS_KX_EPHEMERAL, 128, "SHA256"),
    AEAD_GCM(0xC030, TLS_KX_EPHEMERAL, 256, "SHA384"),
    AEAD_CHACHA(0xCCA8, TLS_KX_EPHEMERAL),
    AEAD_CHACHA(0xCCA9, TLS_KX_EPHEMERAL),
    AEAD_CHACHA(0xCCAA, TLS_KX_EPHEMERAL),

    CBC(0x002F, TLS_KX_RSA, 128, "SHA1", 20, "SHA256"),
    CBC(0x0035, TLS_KX_RSA, 256, "SHA1", 20, "SHA256"),
    CBC(0x003C, TLS_KX_RSA, 128, "SHA256", 32, "SHA256"),
    CBC(0x003D, TLS_KX_RSA, 256, "SHA256", 32, "SHA256"),
    CBC(0x0033, TLS_KX_EPHEMERAL, 128, "SHA1", 20, "SHA256"),
    CBC(0x0039, TLS_KX_EPHEMERAL, 256, "SHA1", 20, "SHA256"),
    CBC(0x0067, TLS_KX_EPHEMERAL, 128, "SHA256", 32, "SHA256"),
    CBC(0x006B, TLS_KX_EPHEMERAL, 256, "SHA256", 32, "SHA256"),
    CBC(0xC009, TLS_KX_EPHEMERAL, 128, "SHA1", 20, "SHA256"),
    CBC(0xC00A, TLS_KX_EPHEMERAL, 256, "SHA1", 20, "SHA256"),
    CBC(0xC013, TLS_KX_EPHEMERAL, 128, "SHA1", 20, "SHA256"),
    CBC(0xC014, TLS_KX_EPHEMERAL, 256, "SHA1", 20, "SHA256"),
    CBC(0xC023, TLS_KX_EPHEMERAL, 128, "SHA256", 32, "SHA256"),
    CBC(0xC024, TLS_KX_EPHEMERAL, 256, "SHA384", 48, "SHA384"),
    CBC(0xC027, TLS_KX_EPHEMERAL, 128, "SHA256", 32, "SHA256"),
    CBC(0xC028, TLS_KX_EPHEMERAL, 256, "SHA384", 48, "SHA384"),
};

const tls_suite *tls_suite_find(uint16_t id)
{
    for (size_t i = 0; i < sizeof suites / sizeof suites[0]; i++) {
        if (suites[i].id == id)
            return &suites[i];
    }
    return NULL;
}

const char *tls_suite_name(uint16_t id)
{
    const char *name = tls_suite_find(id) ? cssp_tls_suite_name(id) : NULL;
    return name ? name : "unknown";
}

/* tls_suites.c - the table of decryptable TLS cipher suites (see tls_suites.h). */
#include "tls_suites.h"

#define AEAD_GCM(id, name, kx, bits, prf) \
    { id, name, kx, TLS_PROTECT_GCM, "AES-" #bits "-GCM", bits / 8, 4, NULL, 0, prf }
#define AEAD_CHACHA(id, name, kx) \
    { id, name, kx, TLS_PROTECT_CHACHA, "ChaCha20-Poly1305", 32, 12, NULL, 0, "SHA256" }
#define CBC(id, name, kx, bits, mac, maclen, prf) \
    { id, name, kx, TLS_PROTECT_CBC, "AES-" #bits "-CBC", bits / 8, 16, mac, maclen, prf }

static const tls_suite suites[] = {
    AEAD_GCM(0x1301, "TLS_AES_128_GCM_SHA256", TLS_KX_TLS13, 128, "SHA256"),
    AEAD_GCM(0x1302, "TLS_AES_256_GCM_SHA384", TLS_KX_TLS13, 256, "SHA384"),
    AEAD_CHACHA(0x1303, "TLS_CHACHA20_POLY1305_SHA256", TLS_KX_TLS13),

    AEAD_GCM(0x009C, "TLS_RSA_WITH_AES_128_GCM_SHA256", TLS_KX_RSA, 128, "SHA256"),
    AEAD_GCM(0x009D, "TLS_RSA_WITH_AES_256_GCM_SHA384", TLS_KX_RSA, 256, "SHA384"),
    AEAD_GCM(0x009E, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", TLS_KX_EPHEMERAL, 128, "SHA256"),
    AEAD_GCM(0x009F, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", TLS_KX_EPHEMERAL, 256, "SHA384"),
    AEAD_GCM(0xC02B, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", TLS_KX_EPHEMERAL, 128, "SHA256"),
    AEAD_GCM(0xC02C, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", TLS_KX_EPHEMERAL, 256, "SHA384"),
    AEAD_GCM(0xC02F, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", TLS_KX_EPHEMERAL, 128, "SHA256"),
    AEAD_GCM(0xC030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", TLS_KX_EPHEMERAL, 256, "SHA384"),
    AEAD_CHACHA(0xCCA8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", TLS_KX_EPHEMERAL),
    AEAD_CHACHA(0xCCA9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", TLS_KX_EPHEMERAL),
    AEAD_CHACHA(0xCCAA, "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256", TLS_KX_EPHEMERAL),

    CBC(0x002F, "TLS_RSA_WITH_AES_128_CBC_SHA", TLS_KX_RSA, 128, "SHA1", 20, "SHA256"),
    CBC(0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA", TLS_KX_RSA, 256, "SHA1", 20, "SHA256"),
    CBC(0x003C, "TLS_RSA_WITH_AES_128_CBC_SHA256", TLS_KX_RSA, 128, "SHA256", 32, "SHA256"),
    CBC(0x003D, "TLS_RSA_WITH_AES_256_CBC_SHA256", TLS_KX_RSA, 256, "SHA256", 32, "SHA256"),
    CBC(0x0033, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA", TLS_KX_EPHEMERAL, 128, "SHA1", 20, "SHA256"),
    CBC(0x0039, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA", TLS_KX_EPHEMERAL, 256, "SHA1", 20, "SHA256"),
    CBC(0x0067, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256", TLS_KX_EPHEMERAL, 128, "SHA256", 32, "SHA256"),
    CBC(0x006B, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256", TLS_KX_EPHEMERAL, 256, "SHA256", 32, "SHA256"),
    CBC(0xC009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", TLS_KX_EPHEMERAL, 128, "SHA1", 20, "SHA256"),
    CBC(0xC00A, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", TLS_KX_EPHEMERAL, 256, "SHA1", 20, "SHA256"),
    CBC(0xC013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", TLS_KX_EPHEMERAL, 128, "SHA1", 20, "SHA256"),
    CBC(0xC014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", TLS_KX_EPHEMERAL, 256, "SHA1", 20, "SHA256"),
    CBC(0xC023, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", TLS_KX_EPHEMERAL, 128, "SHA256", 32, "SHA256"),
    CBC(0xC024, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384", TLS_KX_EPHEMERAL, 256, "SHA384", 48, "SHA384"),
    CBC(0xC027, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", TLS_KX_EPHEMERAL, 128, "SHA256", 32, "SHA256"),
    CBC(0xC028, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", TLS_KX_EPHEMERAL, 256, "SHA384", 48, "SHA384"),
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
    const tls_suite *suite = tls_suite_find(id);
    return suite ? suite->name : "unknown";
}

static const struct {
    uint16_t version;
    const char *name;
} version_names[] = {
    { TLS_VERSION_1_0, "TLS 1.0" },
    { TLS_VERSION_1_1, "TLS 1.1" },
    { TLS_VERSION_1_2, "TLS 1.2" },
    { TLS_VERSION_1_3, "TLS 1.3" },
};

const char *tls_version_name(uint16_t version)
{
    for (size_t i = 0; i < sizeof version_names / sizeof version_names[0]; i++) {
        if (version_names[i].version == version)
            return version_names[i].name;
    }
    return "unknown";
}

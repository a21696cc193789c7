/*
 * test_tls_inputs.c - loading key logs and RSA private keys, good and bad.
 *
 * Key logs: every accepted spelling (case, CRLF, comments, NUL padding as in
 * LSASS dumps), every kind of malformed line (counted, reported with its line
 * number and never echoed), duplicate and surplus candidates, files and
 * memory buffers (pcapng Decryption Secrets Blocks). RSA keys: plain PKCS#8
 * and PKCS#1 PEM, a key after a certificate, encrypted keys, non-RSA keys,
 * files without a key, missing files.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "check.h"
#include "tls_harness.h"

#define RANDOM_A "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
#define RANDOM_B "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100"
#define SECRET_48 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define SECRET_32 "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"

/* Closes a tmpfile() diagnostics stream and returns what was written to it. */
static char *captured_diag(FILE *diag)
{
    long len = ftell(diag);
    char *text = g_malloc0((gsize)len + 1);
    rewind(diag);
    if (len > 0 && fread(text, 1, (size_t)len, diag) != (size_t)len)
        text[0] = '\0';
    fclose(diag);
    return text;
}

static unsigned count_lines(const char *text)
{
    unsigned n = 0;
    for (; *text; text++)
        n += *text == '\n';
    return n;
}

static void test_accepted_spellings(void)
{
    static const char text[] =
        "# a comment line\n"
        "\n"
        "CLIENT_RANDOM " RANDOM_A " " SECRET_48 "\n"
        "CLIENT_TRAFFIC_SECRET_0 " RANDOM_B " " SECRET_32 "\r\n"
        "\0\0\0\0SERVER_TRAFFIC_SECRET_0 FFEEDDCCBBAA99887766554433221100FFEEDDCCBBAA99887766554433221100 "
        "FEDCBA9876543210FEDCBA9876543210FEDCBA9876543210FEDCBA9876543210\r\n"
        "  CLIENT_HANDSHAKE_TRAFFIC_SECRET\t" RANDOM_B "  " SECRET_48 "  \n"
        "EXPORTER_SECRET " RANDOM_B " " SECRET_32 "\n"
        "CLIENT_RANDOM " RANDOM_A " " SECRET_48; /* no final newline */
    FILE *diag = tmpfile();
    tls_keylog *store = tls_keylog_new();
    tls_keylog_load_buffer(store, "dsb", text, sizeof text - 1, diag);
    char *out = captured_diag(diag);
    CHECK_EQ_STR(out, "");
    tls_keylog_stats st = tls_keylog_get_stats(store);
    CHECK_EQ_U(st.lines_used, 5);
    CHECK_EQ_U(st.lines_unused, 1);
    CHECK_EQ_U(st.lines_malformed, 0);
    CHECK_EQ_U(tls_keylog_session_count(store), 2);

    uint8_t a[32], b[32];
    for (int i = 0; i < 32; i++) {
        a[i] = (uint8_t)(i % 16 * 0x11);
        b[i] = (uint8_t)(0xFF - i % 16 * 0x11);
    }
    tls_secret_list master = tls_keylog_find(store, a, TLS_KEYLOG_MASTER_SECRET);
    CHECK_EQ_U(master.count, 1); /* the repeated line is the same secret */
    CHECK(master.count == 1 && master.items[0].len == 48 && master.items[0].bytes[0] == 0x01 &&
          master.items[0].bytes[47] == 0xef);
    tls_secret_list server = tls_keylog_find(store, b, TLS_KEYLOG_SERVER_TRAFFIC_SECRET);
    CHECK(server.count == 1 && server.items[0].len == 32 && server.items[0].bytes[0] == 0xfe);
    CHECK_EQ_U(tls_keylog_find(store, b, TLS_KEYLOG_CLIENT_HANDSHAKE_SECRET).count, 1);
    CHECK_EQ_U(tls_keylog_find(store, b, TLS_KEYLOG_SERVER_HANDSHAKE_SECRET).count, 0);
    CHECK_EQ_U(tls_keylog_find(store, a, TLS_KEYLOG_CLIENT_TRAFFIC_SECRET).count, 0);
    g_free(out);
    tls_keylog_free(store);
}

static void test_malformed_lines(void)
{
    GString *text = g_string_new(NULL);
    g_string_append(text, "CLIENT_RANDOM " RANDOM_A " " SECRET_48 "\n");                 /* 1 ok */
    g_string_append(text, "garbage\n");                                                  /* 2 */
    g_string_append(text, "CLIENT_RANDOM " RANDOM_A "\n");                               /* 3 two fields */
    g_string_append(text, "CLIENT_RANDOM 0011 " SECRET_48 "\n");                         /* 4 short random */
    g_string_append(text, "CLIENT_RANDOM " RANDOM_A " " SECRET_32 "\n");                 /* 5 master of 32 */
    g_string_append(text, "CLIENT_TRAFFIC_SECRET_0 " RANDOM_A " " SECRET_32 "0\n");      /* 6 odd length */
    g_string_append(text, "CLIENT_TRAFFIC_SECRET_0 " RANDOM_A " zz" SECRET_32 "\n");     /* 7 not hex, wrong len */
    g_string_append(text, "SERVER_TRAFFIC_SECRET_0 " RANDOM_A " " SECRET_32 " extra\n"); /* 8 four fields */
    g_string_append(text, "NOT_A_LABEL " RANDOM_A " " SECRET_32 "\n");                   /* 9 unknown label */
    g_string_append(text, "CLIENT_RANDOM g0112233445566778899aabbccddeeff00112233445566778899aabbccddeeff " SECRET_48 "\n"); /* 10 */
    g_string_append(text, "CLIENT_RANDOM ");                                             /* 11 too long */
    for (int i = 0; i < 2000; i++)
        g_string_append_c(text, 'a');
    g_string_append(text, "\nSERVER_TRAFFIC_SECRET_0 " RANDOM_A " " SECRET_32 "\n");     /* 12 ok */
    char *path = tls_harness_temp_file(text->str, text->len);
    CHECK(path != NULL);
    FILE *diag = tmpfile();
    tls_keylog *store = tls_keylog_new();
    CHECK(tls_keylog_load_file(store, path, diag));
    char *out = captured_diag(diag);
    tls_keylog_stats st = tls_keylog_get_stats(store);
    CHECK_EQ_U(st.lines_used, 2);
    CHECK_EQ_U(st.lines_malformed, 10);
    CHECK_EQ_U(count_lines(out), TLS_KEYLOG_MAX_REPORTED + 1);
    char *first = g_strdup_printf("%s:2: ", path);
    char *fifth = g_strdup_printf("%s:6: ", path);
    char *total = g_strdup_printf("%s: 10 malformed lines ignored in total", path);
    CHECK(strstr(out, first) != NULL);
    CHECK(strstr(out, fifth) != NULL);
    CHECK(strstr(out, total) != NULL);
    CHECK(strstr(out, ":7: ") == NULL);
    /* Never echo key material, not even from a broken line. */
    CHECK(strstr(out, "0123456789abcdef") == NULL);
    CHECK(strstr(out, "fedcba9876543210") == NULL);
    uint8_t a[32];
    for (int i = 0; i < 32; i++)
        a[i] = (uint8_t)(i % 16 * 0x11);
    CHECK_EQ_U(tls_keylog_find(store, a, TLS_KEYLOG_MASTER_SECRET).count, 1);
    CHECK_EQ_U(tls_keylog_find(store, a, TLS_KEYLOG_SERVER_TRAFFIC_SECRET).count, 1);
    CHECK_EQ_U(tls_keylog_find(store, a, TLS_KEYLOG_CLIENT_TRAFFIC_SECRET).count, 0);
    g_free(first);
    g_free(fifth);
    g_free(total);
    g_free(out);
    unlink(path);
    g_free(path);
    g_string_free(text, TRUE);
    tls_keylog_free(store);
}

/* Distinct secrets for one (random, label) are all kept up to the limit; the surplus is counted. */
static void test_candidates(void)
{
    GString *text = g_string_new(NULL);
    for (int i = 0; i < TLS_KEYLOG_MAX_CANDIDATES + 2; i++) {
        char secret[] = SECRET_32;
        secret[0] = (char)('0' + i);
        g_string_append_printf(text, "CLIENT_TRAFFIC_SECRET_0 %s %s\n", RANDOM_A, secret);
        g_string_append_printf(text, "CLIENT_TRAFFIC_SECRET_0 %s %s\n", RANDOM_A, secret); /* duplicate */
    }
    tls_keylog *store = tls_keylog_new();
    tls_keylog_load_buffer(store, "mem", text->str, text->len, NULL);
    uint8_t a[32];
    for (int i = 0; i < 32; i++)
        a[i] = (uint8_t)(i % 16 * 0x11);
    tls_secret_list list = tls_keylog_find(store, a, TLS_KEYLOG_CLIENT_TRAFFIC_SECRET);
    CHECK_EQ_U(list.count, TLS_KEYLOG_MAX_CANDIDATES);
    for (size_t i = 0; i < list.count; i++)
        CHECK_EQ_U(list.items[i].bytes[0] >> 4, i);
    tls_keylog_stats st = tls_keylog_get_stats(store);
    CHECK_EQ_U(st.secrets_dropped, 4); /* two distinct surplus secrets, each twice */
    g_string_free(text, TRUE);
    tls_keylog_free(store);
}

/* A key log that cannot be opened: one line naming the file; lookups on no store find nothing. */
static void test_missing_file(void)
{
    FILE *diag = tmpfile();
    tls_keylog *store = tls_keylog_new();
    CHECK(!tls_keylog_load_file(store, "/nonexistent/keys.log", diag));
    char *out = captured_diag(diag);
    CHECK(g_str_has_prefix(out, "credssp-analyze: /nonexistent/keys.log: cannot open the key log: "));
    CHECK_EQ_U(count_lines(out), 1);
    g_free(out);
    tls_keylog_free(store);
    CHECK_EQ_U(tls_keylog_find(NULL, (const uint8_t *)RANDOM_A, TLS_KEYLOG_MASTER_SECRET).count, 0);
}

static char *pem_of_key(EVP_PKEY *key, const EVP_CIPHER *cipher, bool traditional)
{
    BIO *bio = BIO_new(BIO_s_mem());
    if (traditional)
        PEM_write_bio_PrivateKey_traditional(bio, key, cipher, (unsigned char *)"secret", 6, NULL, NULL);
    else
        PEM_write_bio_PKCS8PrivateKey(bio, key, cipher, cipher ? "secret" : NULL, cipher ? 6 : 0, NULL, NULL);
    char *data;
    long len = BIO_get_mem_data(bio, &data);
    char *pem = g_strndup(data, (gsize)len);
    BIO_free(bio);
    return pem;
}

static char *pem_of_cert(EVP_PKEY *key)
{
    X509 *cert = X509_new();
    X509_set_pubkey(cert, key);
    X509_gmtime_adj(X509_getm_notBefore(cert), 0);
    X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
    X509_sign(cert, key, EVP_sha256());
    BIO *bio = BIO_new(BIO_s_mem());
    PEM_write_bio_X509(bio, cert);
    char *data;
    long len = BIO_get_mem_data(bio, &data);
    char *pem = g_strndup(data, (gsize)len);
    BIO_free(bio);
    X509_free(cert);
    return pem;
}

/* Loads `text` as an RSA key file; returns the diagnostics and sets *loaded. */
static char *load_rsa_text(const char *text, size_t *count, bool *loaded)
{
    char *path = tls_harness_temp_file(text, strlen(text));
    FILE *diag = tmpfile();
    tls_rsa_keys *keys = tls_rsa_keys_new();
    *loaded = tls_rsa_keys_load_file(keys, path, diag);
    *count = tls_rsa_keys_count(keys);
    char *out = captured_diag(diag);
    char *prefix = g_strdup_printf("credssp-analyze: %s: ", path);
    CHECK(out[0] == '\0' || (g_str_has_prefix(out, prefix) && count_lines(out) == 1));
    unlink(path);
    g_free(prefix);
    g_free(path);
    tls_rsa_keys_free(keys);
    return out;
}

static void test_rsa_keys(void)
{
    EVP_PKEY *rsa = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
    EVP_PKEY *ec = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    char *pkcs8 = pem_of_key(rsa, NULL, false);
    char *pkcs1 = pem_of_key(rsa, NULL, true);
    char *pkcs8_encrypted = pem_of_key(rsa, EVP_aes_256_cbc(), false);
    char *pkcs1_encrypted = pem_of_key(rsa, EVP_aes_128_cbc(), true);
    char *ec_key = pem_of_key(ec, NULL, false);
    char *cert = pem_of_cert(rsa);
    char *cert_then_key = g_strconcat(cert, pkcs8, NULL);
    char *two_keys = g_strconcat(pkcs8, pkcs1, NULL);
    size_t count;
    bool loaded;
    char *out;

    out = load_rsa_text(pkcs8, &count, &loaded);
    CHECK(loaded && count == 1 && out[0] == '\0');
    g_free(out);
    out = load_rsa_text(pkcs1, &count, &loaded);
    CHECK(loaded && count == 1 && out[0] == '\0');
    g_free(out);
    out = load_rsa_text(cert_then_key, &count, &loaded);
    CHECK(loaded && count == 1 && out[0] == '\0');
    g_free(out);
    out = load_rsa_text(two_keys, &count, &loaded);
    CHECK(loaded && count == 2);
    g_free(out);

    out = load_rsa_text(pkcs8_encrypted, &count, &loaded);
    CHECK(!loaded && count == 0 && strstr(out, "encrypted") != NULL);
    g_free(out);
    out = load_rsa_text(pkcs1_encrypted, &count, &loaded);
    CHECK(!loaded && count == 0 && strstr(out, "encrypted") != NULL);
    g_free(out);
    out = load_rsa_text(ec_key, &count, &loaded);
    CHECK(!loaded && count == 0 && strstr(out, "not an RSA key") != NULL);
    g_free(out);
    out = load_rsa_text(cert, &count, &loaded);
    CHECK(!loaded && count == 0 && strstr(out, "no PEM private key") != NULL);
    g_free(out);
    out = load_rsa_text("CLIENT_RANDOM this is a key log, not a key\n", &count, &loaded);
    CHECK(!loaded && count == 0 && strstr(out, "no PEM private key") != NULL);
    g_free(out);
    out = load_rsa_text("-----BEGIN PRIVATE KEY-----\nnot base64 !!\n-----END PRIVATE KEY-----\n", &count, &loaded);
    CHECK(!loaded && count == 0 && strstr(out, "no PEM private key") != NULL);
    g_free(out);

    FILE *diag = tmpfile();
    tls_rsa_keys *keys = tls_rsa_keys_new();
    CHECK(!tls_rsa_keys_load_file(keys, "/nonexistent/server.pem", diag));
    out = captured_diag(diag);
    CHECK(g_str_has_prefix(out, "credssp-analyze: /nonexistent/server.pem: cannot read the RSA key file"));
    g_free(out);
    uint8_t premaster[TLS_PREMASTER_LEN], junk[128] = { 0 };
    CHECK(!tls_rsa_keys_decrypt_premaster(keys, 0, junk, sizeof junk, premaster)); /* no key 0 */
    tls_rsa_keys_free(keys);

    EVP_PKEY_free(rsa);
    EVP_PKEY_free(ec);
    g_free(pkcs8);
    g_free(pkcs1);
    g_free(pkcs8_encrypted);
    g_free(pkcs1_encrypted);
    g_free(ec_key);
    g_free(cert);
    g_free(cert_then_key);
    g_free(two_keys);
}

int main(void)
{
    test_accepted_spellings();
    test_malformed_lines();
    test_candidates();
    test_missing_file();
    test_rsa_keys();
    return check_summary("tls_inputs");
}

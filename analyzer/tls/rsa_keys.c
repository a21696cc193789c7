/* rsa_keys.c - loading RSA private keys from PEM and decrypting premaster secrets (see rsa_keys.h). */
#include "rsa_keys.h"

#include <string.h>

#include <glib.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "diag.h"

struct tls_rsa_keys {
    GPtrArray *keys; /* EVP_PKEY *, owned */
};

tls_rsa_keys *tls_rsa_keys_new(void)
{
    tls_rsa_keys *keys = g_new0(tls_rsa_keys, 1);
    keys->keys = g_ptr_array_new_with_free_func((GDestroyNotify)EVP_PKEY_free);
    return keys;
}

void tls_rsa_keys_free(tls_rsa_keys *keys)
{
    if (!keys)
        return;
    g_ptr_array_unref(keys->keys);
    g_free(keys);
}

size_t tls_rsa_keys_count(const tls_rsa_keys *keys)
{
    return keys ? keys->keys->len : 0;
}

/* Refuses to prompt for a passphrase: an encrypted key then fails to load, and is reported as such. */
static int no_passphrase(char *buf, int size, int rwflag, void *user)
{
    (void)buf, (void)size, (void)rwflag, (void)user;
    return -1;
}

static bool looks_encrypted(const char *pem, size_t len)
{
    return g_strstr_len(pem, (gssize)len, "-----BEGIN ENCRYPTED PRIVATE KEY-----") != NULL ||
           g_strstr_len(pem, (gssize)len, "Proc-Type: 4,ENCRYPTED") != NULL;
}

static void complain(FILE *diag, const char *path, const char *problem)
{
    diag_say(diag, path, 0, "%s", problem);
}

bool tls_rsa_keys_load_file(tls_rsa_keys *keys, const char *path, FILE *diag)
{
    gchar *pem = NULL;
    gsize len = 0;
    GError *error = NULL;
    if (!g_file_get_contents(path, &pem, &len, &error)) {
        diag_say(diag, path, 0, "cannot read the RSA key file: %s", error->message);
        g_error_free(error);
        return false;
    }
    size_t added = 0, not_rsa = 0;
    bool encrypted = looks_encrypted(pem, len);
    if (len <= TLS_RSA_MAX_FILE_SIZE && !encrypted) {
        BIO *bio = BIO_new_mem_buf(pem, (int)len);
        EVP_PKEY *pkey;
        while (bio && (pkey = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL)) != NULL) {
            if (!EVP_PKEY_is_a(pkey, "RSA")) {
                not_rsa++;
                EVP_PKEY_free(pkey);
            } else if (keys->keys->len < TLS_RSA_MAX_KEYS) {
                g_ptr_array_add(keys->keys, pkey);
                added++;
            } else {
                EVP_PKEY_free(pkey);
                complain(diag, path, "too many RSA keys loaded; this one is ignored");
            }
        }
        BIO_free(bio);
        ERR_clear_error(); /* the read loop always ends on a "no start line" error */
    }
    if (len > TLS_RSA_MAX_FILE_SIZE)
        complain(diag, path, "too large for a PEM key file");
    else if (encrypted)
        complain(diag, path, "the private key is encrypted (passphrase-protected); "
                             "decrypt it first, e.g. with 'openssl pkey -in FILE -out PLAIN.pem'");
    else if (added == 0 && not_rsa > 0)
        complain(diag, path, "the private key is not an RSA key (only RSA key exchange can be decrypted "
                             "with a server key)");
    else if (added == 0)
        complain(diag, path, "no PEM private key found (expected -----BEGIN PRIVATE KEY----- or "
                             "-----BEGIN RSA PRIVATE KEY-----)");
    OPENSSL_cleanse(pem, len);
    g_free(pem);
    return added > 0;
}

bool tls_rsa_keys_decrypt_premaster(const tls_rsa_keys *keys, size_t index, const uint8_t *encrypted,
                                    size_t encrypted_len, uint8_t premaster[TLS_PREMASTER_LEN])
{
    if (!keys || index >= keys->keys->len)
        return false;
    EVP_PKEY *pkey = g_ptr_array_index(keys->keys, index);
    if (encrypted_len != (size_t)EVP_PKEY_get_size(pkey))
        return false;
    uint8_t out[1024]; /* RSA moduli up to 8192 bits */
    size_t out_len = sizeof out;
    bool ok = false;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(pkey, NULL);
    if (ctx && encrypted_len <= sizeof out && EVP_PKEY_decrypt_init(ctx) > 0 &&
        EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) > 0 &&
        EVP_PKEY_decrypt(ctx, out, &out_len, encrypted, encrypted_len) > 0 &&
        out_len == TLS_PREMASTER_LEN) {
        memcpy(premaster, out, TLS_PREMASTER_LEN);
        ok = true;
    }
    EVP_PKEY_CTX_free(ctx);
    ERR_clear_error();
    OPENSSL_cleanse(out, sizeof out);
    return ok;
}

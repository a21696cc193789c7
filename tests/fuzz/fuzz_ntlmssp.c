/*
 * fuzz_ntlmssp.c - libFuzzer harness: the negoToken classifier, the NTLMSSP, SPNEGO and Kerberos readers.
 *
 * The input is given to cssp_token_inspect() as a negoToken (raw NTLMSSP,
 * SPNEGO, Kerberos or anything) and to cssp_ntlm_decode() as a bare NTLM
 * message. Beyond the sanitizers: the names taken from AUTHENTICATE must be
 * NUL-terminated, valid UTF-8 inside their buffers (ntlmssp.h promises it and
 * the report prints them), and the NTLM offset must lie inside the token; the
 * Kerberos realm and service are NUL-terminated printable ASCII (kerberos.h);
 * the SPNEGO mechanism token lies inside the input.
 */
#include <glib.h>
#include <string.h>

#include "cssp/ntlmssp.h"
#include "fuzz_common.h"

static void require_name(const char *name)
{
    size_t len = strnlen(name, CSSP_NTLM_NAME_MAX);
    FUZZ_REQUIRE(len < CSSP_NTLM_NAME_MAX);
    FUZZ_REQUIRE(g_utf8_validate(name, (gssize)len, NULL));
}

static void require_message(const cssp_ntlm_message *m)
{
    require_name(m->domain);
    require_name(m->user);
    require_name(m->workstation);
    if (m->type != CSSP_NTLM_AUTHENTICATE)
        FUZZ_REQUIRE(!m->domain[0] && !m->user[0] && !m->workstation[0]);
}

static void require_inert(const char *name)
{
    size_t len = strnlen(name, CSSP_KRB_NAME_MAX);
    FUZZ_REQUIRE(len < CSSP_KRB_NAME_MAX);
    for (size_t i = 0; i < len; i++)
        FUZZ_REQUIRE(name[i] >= 0x20 && name[i] < 0x7f);
}

static void require_krb(const cssp_krb_message *m)
{
    require_inert(m->realm);
    require_inert(m->service);
    if (m->msg_type)
        FUZZ_REQUIRE(cssp_krb_message_name(m->msg_type) != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cssp_token_info info;
    cssp_status st = cssp_token_inspect(data, size, &info);
    FUZZ_REQUIRE(cssp_status_string(st) != NULL);
    FUZZ_REQUIRE(cssp_token_kind_name(info.kind) != NULL);
    require_message(&info.ntlm);
    if (info.has_ntlm) {
        FUZZ_REQUIRE(info.ntlm_offset + 8 <= size);
        FUZZ_REQUIRE(memcmp(data + info.ntlm_offset, "NTLMSSP", 8) == 0);
    }

    require_krb(&info.krb);
    if (info.has_spnego && info.spnego.has_token)
        FUZZ_REQUIRE(info.spnego.token_offset + info.spnego.token_len <= size);

    cssp_spnego spnego;
    st = cssp_spnego_decode(data, size, &spnego);
    FUZZ_REQUIRE(cssp_status_string(st) != NULL);
    if (spnego.has_token)
        FUZZ_REQUIRE(spnego.token_offset + spnego.token_len <= size);
    cssp_krb_message krb;
    (void)cssp_krb_decode(data, size, &krb);
    require_krb(&krb);

    cssp_ntlm_message m;
    st = cssp_ntlm_decode(data, size, &m);
    require_message(&m);
    if (st == CSSP_OK)
        FUZZ_REQUIRE(size >= 12 && memcmp(data, "NTLMSSP", 8) == 0);
    (void)cssp_ntlm_type_name(m.type);
    return 0;
}

/*
 * probe_request.c - the X.224 Connection Request and the NTLM NEGOTIATE TSRequest of credssp-probe
 * ([MS-RDPBCGR] 2.2.1.1, [MS-CSSP] 2.2.1, [MS-NLMP] 2.2.1.1); see probe_request.h.
 *
 * Every length here is below 128, so each DER header is two bytes and the layout is fixed.
 */
#include "cssp/probe_request.h"

#include <string.h>

#include "cssp/x224.h"

/*
 * The NEGOTIATE flags a Windows client sends, less VERSION (no OS version of ours goes out): UNICODE, OEM,
 * REQUEST_TARGET (the server names itself), SIGN, SEAL, NTLM, ALWAYS_SIGN, EXTENDED_SESSIONSECURITY,
 * 128, KEY_EXCH, 56.
 */
#define PROBE_NTLM_FLAGS 0xE0088237u
#define NTLM_NEGOTIATE_LEN 32 /* signature 8, type 4, flags 4, DomainNameFields 8, WorkstationFields 8 */

static uint8_t *put_le32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        *p++ = (uint8_t)(v >> (8 * i));
    return p;
}

/* An empty payload field (Len 0, MaxLen 0) pointing at the end of the message, as Windows writes it. */
static uint8_t *put_empty_field(uint8_t *p)
{
    memset(p, 0, 4);
    return put_le32(p + 4, NTLM_NEGOTIATE_LEN);
}

size_t cssp_build_connection_request(uint32_t requested_protocols, uint8_t *buf, size_t size)
{
    if (size < CSSP_CONNECTION_REQUEST_LEN)
        return 0;
    static const uint8_t head[] = {
        0x03, 0x00, 0x00, CSSP_CONNECTION_REQUEST_LEN,  /* TPKT version 3, length */
        0x0E, 0xE0, 0x00, 0x00, 0x00, 0x00, 0x00,       /* X.224 LI 14, CR, DST-REF, SRC-REF, class 0 */
        CSSP_NEG_TYPE_REQ, 0x00, 0x08, 0x00,            /* RDP_NEG_REQ, flags 0, length 8 */
    };
    memcpy(buf, head, sizeof head);
    put_le32(buf + sizeof head, requested_protocols);
    return CSSP_CONNECTION_REQUEST_LEN;
}

size_t cssp_build_negotiate_tsrequest(uint8_t *buf, size_t size)
{
    if (size < CSSP_PROBE_TSREQUEST_LEN)
        return 0;
    static const uint8_t head[] = {
        0x30, CSSP_PROBE_TSREQUEST_LEN - 2,                      /* TSRequest SEQUENCE */
        0xA0, 0x03, 0x02, 0x01, CSSP_PROBE_CREDSSP_VERSION,      /* [0] version INTEGER */
        0xA1, NTLM_NEGOTIATE_LEN + 8,                            /* [1] negoTokens */
        0x30, NTLM_NEGOTIATE_LEN + 6,                            /* SEQUENCE OF */
        0x30, NTLM_NEGOTIATE_LEN + 4,                            /* NegoData SEQUENCE */
        0xA0, NTLM_NEGOTIATE_LEN + 2,                            /* [0] negoToken */
        0x04, NTLM_NEGOTIATE_LEN,                                /* OCTET STRING */
        'N', 'T', 'L', 'M', 'S', 'S', 'P', 0x00,                 /* NEGOTIATE_MESSAGE signature */
    };
    uint8_t *p = buf;
    memcpy(p, head, sizeof head);
    p += sizeof head;
    p = put_le32(p, 1); /* MessageType: NEGOTIATE */
    p = put_le32(p, PROBE_NTLM_FLAGS);
    p = put_empty_field(p); /* DomainNameFields */
    p = put_empty_field(p); /* WorkstationFields */
    return (size_t)(p - buf);
}

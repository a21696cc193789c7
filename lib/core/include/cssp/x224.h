/*
 * x224.h - reader of the cleartext start of an RDP connection ([MS-RDPBCGR] 2.2.1.1, 2.2.1.2).
 *
 * TPKT (RFC 1006: 03 00 length16be) carrying an X.224 Connection Request
 * (0xE0) with an optional routing token or "Cookie: mstshash=...\r\n" and an
 * optional RDP_NEG_REQ, or a Connection Confirm (0xD0) with an optional
 * RDP_NEG_RSP or RDP_NEG_FAILURE. Also the 4-byte Early User Authorization
 * Result PDU that HYBRID_EX servers send inside TLS after CredSSP.
 */
#ifndef CSSP_X224_H
#define CSSP_X224_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cssp/status.h"

#define CSSP_CORRELATION_ID_LEN 16  /* RDP_NEG_CORRELATION_INFO correlationId */
#define CSSP_X224_COOKIE_MAX 128  /* bytes kept of a cookie / routing token (NUL-terminated, printable ASCII only) */

enum {
    CSSP_NEG_TYPE_REQ = 0x01,
    CSSP_NEG_TYPE_RSP = 0x02,
    CSSP_NEG_TYPE_FAILURE = 0x03,
    CSSP_NEG_TYPE_CORRELATION_INFO = 0x06
};

/* Protocol bits of requestedProtocols / values of selectedProtocol. */
enum {
    CSSP_PROTO_RDP = 0x00,
    CSSP_PROTO_SSL = 0x01,
    CSSP_PROTO_HYBRID = 0x02,
    CSSP_PROTO_RDSTLS = 0x04,
    CSSP_PROTO_HYBRID_EX = 0x08,
    CSSP_PROTO_RDSAAD = 0x10
};

enum { CSSP_AUTHZ_SUCCESS = 0x00000000, CSSP_AUTHZ_ACCESS_DENIED = 0x00000005 };

typedef enum cssp_x224_kind {
    CSSP_X224_CONNECTION_REQUEST,
    CSSP_X224_CONNECTION_CONFIRM,
    CSSP_X224_DATA,               /* a data TPDU (0xF0): RDP after the negotiation */
    CSSP_X224_OTHER
} cssp_x224_kind;

typedef enum cssp_x224_token_kind {
    CSSP_X224_NO_TOKEN,
    CSSP_X224_COOKIE,             /* "Cookie: mstshash=NAME\r\n": cookie holds NAME */
    CSSP_X224_ROUTING_TOKEN       /* any other CRLF-terminated token: cookie holds it without the CRLF */
} cssp_x224_token_kind;

typedef struct cssp_x224 {
    cssp_x224_kind kind;
    size_t tpkt_length;           /* the TPKT length field: bytes of the whole PDU */
    uint8_t x224_code;            /* the TPDU code, upper nibble (0xE0, 0xD0, 0xF0, ...) */
    cssp_x224_token_kind token_kind;
    char cookie[CSSP_X224_COOKIE_MAX];
    bool has_neg;                 /* an RDP_NEG_REQ / RSP / FAILURE follows the header */
    uint8_t neg_type;             /* CSSP_NEG_TYPE_* */
    uint8_t neg_flags;
    uint32_t neg_value;           /* requestedProtocols, selectedProtocol or failureCode */
    bool has_correlation_info;    /* RDP_NEG_CORRELATION_INFO present after the RDP_NEG_REQ */
    uint8_t correlation_id[CSSP_CORRELATION_ID_LEN];
} cssp_x224;

/*
 * Given the first bytes of a stream: do they look like a TPKT header, and how
 * long is the PDU? CSSP_ERR_TRUNCATED with fewer than 4 bytes,
 * CSSP_ERR_NOT_RECOGNISED when not TPKT version 3.
 */
cssp_status cssp_tpkt_size(const uint8_t *data, size_t avail, size_t *pdu_len);

/* Decodes one TPKT + X.224 PDU starting at data[0]; the whole PDU must be inside len. */
cssp_status cssp_x224_decode(const uint8_t *data, size_t len, cssp_x224 *out);

/* The Early User Authorization Result: exactly 4 bytes, little-endian. */
cssp_status cssp_early_auth_result_decode(const uint8_t *data, size_t len, uint32_t *result);

#endif

/*
 * tsgu.h - the packets of the RD Gateway HTTP transport ([MS-TSGU] 2.2.10): what travels inside the gateway's
 * WebSocket messages or HTTP chunks, each an 8-byte header (type, reserved, packetLength, little-endian) and a
 * body. The body of the packets that set up a tunnel is decoded into the fields a report needs; DATA is
 * handed back as a slice of the caller's bytes (the tunnelled RDP connection). Names (resource, client) are
 * UTF-16LE on the wire and kept as printable ASCII ('?' for anything else), cut to fit.
 */
#ifndef CSSP_TSGU_H
#define CSSP_TSGU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cssp/status.h"

#define CSSP_TSGU_HEADER_LEN 8
#define CSSP_TSGU_MAX_PACKET (128u * 1024u)  /* every variable field has a 16-bit length: real packets stay far below */
#define CSSP_TSGU_NAME_MAX 256               /* bytes kept of a resource or client name, NUL included */

enum {
    CSSP_TSGU_HANDSHAKE_REQUEST = 0x1,
    CSSP_TSGU_HANDSHAKE_RESPONSE = 0x2,
    CSSP_TSGU_EXTENDED_AUTH_MSG = 0x3,
    CSSP_TSGU_TUNNEL_CREATE = 0x4,
    CSSP_TSGU_TUNNEL_RESPONSE = 0x5,
    CSSP_TSGU_TUNNEL_AUTH = 0x6,
    CSSP_TSGU_TUNNEL_AUTH_RESPONSE = 0x7,
    CSSP_TSGU_CHANNEL_CREATE = 0x8,
    CSSP_TSGU_CHANNEL_RESPONSE = 0x9,
    CSSP_TSGU_DATA = 0xA,
    CSSP_TSGU_SERVICE_MESSAGE = 0xB,
    CSSP_TSGU_REAUTH_MESSAGE = 0xC,
    CSSP_TSGU_KEEPALIVE = 0xD,
    CSSP_TSGU_CLOSE_CHANNEL = 0x10,
    CSSP_TSGU_CLOSE_CHANNEL_RESPONSE = 0x11
};

/* HANDSHAKE_REQUEST/RESPONSE extendedAuth bits */
enum {
    CSSP_TSGU_EXTAUTH_SC = 0x1,
    CSSP_TSGU_EXTAUTH_PAA = 0x2,
    CSSP_TSGU_EXTAUTH_SSPI_NTLM = 0x4
};

typedef struct cssp_tsgu_packet {
    uint16_t type;
    uint32_t length;              /* packetLength: header included */
    bool has_status;
    uint32_t status;              /* the HRESULT of a *_RESPONSE or CLOSE_CHANNEL(_RESPONSE) */
    uint8_t version_major, version_minor;  /* HANDSHAKE_* */
    uint16_t extended_auth;       /* HANDSHAKE_* */
    uint32_t caps;                /* TUNNEL_CREATE capsFlags */
    uint16_t fields_present;      /* TUNNEL_CREATE/RESPONSE, TUNNEL_AUTH(_RESPONSE), CHANNEL_RESPONSE */
    bool has_paa_cookie;          /* TUNNEL_CREATE */
    bool has_tunnel_id;
    uint32_t tunnel_id;           /* TUNNEL_RESPONSE */
    char client_name[CSSP_TSGU_NAME_MAX];  /* TUNNEL_AUTH */
    uint8_t resource_count, alt_resource_count;  /* CHANNEL_CREATE */
    uint16_t port, protocol;      /* CHANNEL_CREATE: the target's port; protocol 3 is RDP */
    char resource[CSSP_TSGU_NAME_MAX];      /* CHANNEL_CREATE: the first resource name */
    bool has_channel_id;
    uint32_t channel_id;          /* CHANNEL_RESPONSE */
    const uint8_t *data;          /* DATA: the tunnelled bytes (into the decoded buffer) */
    size_t data_len;
} cssp_tsgu_packet;

/*
 * The size of the packet at the start of data. CSSP_ERR_TRUNCATED: fewer than 8 bytes; CSSP_ERR_BAD_ENCODING:
 * a packetLength below 8 or an unknown packet type; CSSP_ERR_LENGTH_TOO_LONG: above CSSP_TSGU_MAX_PACKET.
 */
cssp_status cssp_tsgu_packet_size(const uint8_t *data, size_t len, size_t *size);

/* Decodes one whole packet (len = its packetLength). A field running past the packet is CSSP_ERR_LENGTH_PAST_END. */
cssp_status cssp_tsgu_decode(const uint8_t *data, size_t len, cssp_tsgu_packet *out);

#endif

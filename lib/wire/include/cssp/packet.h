/*
 * packet.h - decoding of one captured frame down to its TCP segment.
 *
 * Link types met in practice (Ethernet with 802.1Q/802.1ad tags, Linux cooked
 * SLL and SLL2, raw IPv4/IPv6, BSD loopback/null), IPv4 and IPv6 (with
 * extension headers), TCP. Everything is read through the core's bounds-checked
 * cssp_reader; a frame that is not TCP, or is cut short, gets a reason code and
 * is skipped by the caller.
 */
#ifndef CSSP_PACKET_H
#define CSSP_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { TCP_FIN = 0x01, TCP_SYN = 0x02, TCP_RST = 0x04, TCP_PSH = 0x08, TCP_ACK = 0x10 };

typedef struct tcp_endpoint {
    uint8_t family;        /* 4 or 6 */
    uint8_t addr[16];      /* IPv4 in the first 4 bytes */
    uint16_t port;
} tcp_endpoint;

typedef struct tcp_packet {
    tcp_endpoint src, dst;
    uint32_t seq, ack;
    uint8_t flags;                 /* TCP_* */
    const uint8_t *payload;
    size_t payload_len;            /* captured payload bytes */
    bool payload_cut;              /* the frame was captured shorter than the segment */
} tcp_packet;

typedef enum packet_result {
    PACKET_TCP = 0,
    PACKET_NOT_TCP,          /* another protocol, an IP fragment, ... */
    PACKET_UNSUPPORTED_LINK,
    PACKET_MALFORMED         /* headers cut short or inconsistent */
} packet_result;

/* Decodes a frame of the given libpcap DLT. *out points into data. */
packet_result packet_decode(int dlt, const uint8_t *data, size_t caplen, tcp_packet *out);

/* Is this DLT one packet_decode() understands? */
bool packet_link_supported(int dlt);

#define TCP_ENDPOINT_TEXT_SIZE 64 /* "[" INET6_ADDRSTRLEN "]:65535" fits */

/* "1.2.3.4:3389" or "[::1]:3389". Returns buf. */
const char *tcp_endpoint_format(const tcp_endpoint *e, char buf[TCP_ENDPOINT_TEXT_SIZE]);

#endif

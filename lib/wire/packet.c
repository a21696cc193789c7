/*
 * packet.c - frame -> TCP segment decoding (see packet.h). Every header is read
 * through cssp_reader, so a short or lying frame can only produce
 * PACKET_MALFORMED, never a read past the captured bytes.
 */
#include "cssp/packet.h"

#include <arpa/inet.h>
#include <pcap/dlt.h>
#include <stdio.h>
#include <string.h>

#include "cssp/reader.h"

enum { ETHERTYPE_IPV4 = 0x0800, ETHERTYPE_IPV6 = 0x86DD, ETHERTYPE_VLAN = 0x8100, ETHERTYPE_QINQ = 0x88A8,
       ETHERTYPE_QINQ_OLD = 0x9100 };
enum { IPPROTO_TCP_NUM = 6, MAX_VLAN_TAGS = 4, MAX_IPV6_EXT_HEADERS = 8 };

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif
#ifndef DLT_IPV4
#define DLT_IPV4 228
#endif
#ifndef DLT_IPV6
#define DLT_IPV6 229
#endif

static packet_result decode_tcp(cssp_reader *r, tcp_packet *out)
{
    uint16_t sport, dport;
    uint32_t seq, ack;
    uint8_t data_offset, flags;
    size_t start = r->pos;
    cssp_get_be16(r, &sport);
    cssp_get_be16(r, &dport);
    cssp_get_be32(r, &seq);
    cssp_get_be32(r, &ack);
    cssp_get_u8(r, &data_offset);
    cssp_get_u8(r, &flags);
    if (r->overrun)
        return PACKET_MALFORMED;
    size_t header_len = (size_t)(data_offset >> 4) * 4;
    r->pos = start;
    if (header_len < 20 || !cssp_skip(r, header_len))
        return PACKET_MALFORMED;
    out->src.port = sport;
    out->dst.port = dport;
    out->seq = seq;
    out->ack = ack;
    out->flags = flags;
    out->payload_len = cssp_reader_remaining(r);
    out->payload = r->data + r->pos;
    return PACKET_TCP;
}

/* Limits the reader to the IP datagram's own length (drops Ethernet padding); notes a cut frame. */
static packet_result fit_to_datagram(cssp_reader *r, size_t datagram_len, size_t header_len, tcp_packet *out)
{
    if (datagram_len < header_len)
        return PACKET_MALFORMED;
    size_t end = r->pos - header_len + datagram_len;
    if (end < r->len)
        r->len = end;
    else if (end > r->len)
        out->payload_cut = true;
    return PACKET_TCP;
}

static packet_result decode_ipv4(cssp_reader *r, tcp_packet *out)
{
    uint8_t vihl, proto, tos, ttl;
    uint16_t total_len, id, frag;
    const uint8_t *src, *dst;
    size_t start = r->pos;
    cssp_get_u8(r, &vihl);
    cssp_get_u8(r, &tos);
    cssp_get_be16(r, &total_len);
    cssp_get_be16(r, &id);
    cssp_get_be16(r, &frag);
    cssp_get_u8(r, &ttl);
    cssp_get_u8(r, &proto);
    cssp_skip(r, 2);
    cssp_get_bytes(r, 4, &src);
    cssp_get_bytes(r, 4, &dst);
    if (r->overrun || (vihl >> 4) != 4)
        return PACKET_MALFORMED;
    size_t ihl = (size_t)(vihl & 0x0f) * 4;
    if (ihl < 20)
        return PACKET_MALFORMED;
    r->pos = start;
    if (!cssp_skip(r, ihl))
        return PACKET_MALFORMED;
    if (proto != IPPROTO_TCP_NUM || (frag & 0x3fff) != 0) /* not TCP, or a fragment */
        return PACKET_NOT_TCP;
    out->src.family = out->dst.family = 4;
    memcpy(out->src.addr, src, 4);
    memcpy(out->dst.addr, dst, 4);
    /* total_len 0 happens with TSO on the capturing host: trust the frame then */
    if (total_len != 0 && fit_to_datagram(r, total_len, ihl, out) != PACKET_TCP)
        return PACKET_MALFORMED;
    return decode_tcp(r, out);
}

static packet_result decode_ipv6(cssp_reader *r, tcp_packet *out)
{
    uint8_t vtc, next, hop;
    uint16_t payload_len;
    const uint8_t *src, *dst;
    cssp_get_u8(r, &vtc);
    cssp_skip(r, 3);
    cssp_get_be16(r, &payload_len);
    cssp_get_u8(r, &next);
    cssp_get_u8(r, &hop);
    cssp_get_bytes(r, 16, &src);
    cssp_get_bytes(r, 16, &dst);
    if (r->overrun || (vtc >> 4) != 6)
        return PACKET_MALFORMED;
    out->src.family = out->dst.family = 6;
    memcpy(out->src.addr, src, 16);
    memcpy(out->dst.addr, dst, 16);
    if (payload_len != 0 && fit_to_datagram(r, payload_len, 0, out) != PACKET_TCP)
        return PACKET_MALFORMED;
    for (int i = 0; i < MAX_IPV6_EXT_HEADERS && next != IPPROTO_TCP_NUM; i++) {
        uint8_t ext_next, ext_len;
        switch (next) {
        case 0:  /* hop-by-hop */
        case 43: /* routing */
        case 60: /* destination options */
            cssp_get_u8(r, &ext_next);
            cssp_get_u8(r, &ext_len);
            cssp_skip(r, (size_t)ext_len * 8 + 6);
            if (r->overrun)
                return PACKET_MALFORMED;
            next = ext_next;
            break;
        default: /* fragment (44), ESP, no next header, ...: nothing for us */
            return PACKET_NOT_TCP;
        }
    }
    if (next != IPPROTO_TCP_NUM)
        return PACKET_NOT_TCP;
    return decode_tcp(r, out);
}

static packet_result decode_ethertype(cssp_reader *r, uint16_t ethertype, tcp_packet *out)
{
    for (int tags = 0; tags < MAX_VLAN_TAGS &&
         (ethertype == ETHERTYPE_VLAN || ethertype == ETHERTYPE_QINQ || ethertype == ETHERTYPE_QINQ_OLD); tags++) {
        cssp_skip(r, 2); /* TCI */
        cssp_get_be16(r, &ethertype);
    }
    if (r->overrun)
        return PACKET_MALFORMED;
    if (ethertype == ETHERTYPE_IPV4)
        return decode_ipv4(r, out);
    if (ethertype == ETHERTYPE_IPV6)
        return decode_ipv6(r, out);
    return PACKET_NOT_TCP;
}

static packet_result decode_ip_by_version(cssp_reader *r, tcp_packet *out)
{
    uint8_t first;
    cssp_reader peek = *r;
    if (!cssp_get_u8(&peek, &first))
        return PACKET_MALFORMED;
    if ((first >> 4) == 4)
        return decode_ipv4(r, out);
    if ((first >> 4) == 6)
        return decode_ipv6(r, out);
    return PACKET_NOT_TCP;
}

bool packet_link_supported(int dlt)
{
    switch (dlt) {
    case DLT_EN10MB: case DLT_LINUX_SLL: case DLT_LINUX_SLL2: case DLT_RAW: case DLT_IPV4: case DLT_IPV6:
    case DLT_NULL: case DLT_LOOP:
        return true;
    default:
        return dlt == 12 || dlt == 14 || dlt == 101; /* the numbers raw IP has had on various systems */
    }
}

packet_result packet_decode(int dlt, const uint8_t *data, size_t caplen, tcp_packet *out)
{
    cssp_reader r;
    uint16_t ethertype;
    uint32_t address_family;
    memset(out, 0, sizeof *out);
    cssp_reader_init(&r, data, caplen);
    switch (dlt) {
    case DLT_EN10MB:
        cssp_skip(&r, 12);
        cssp_get_be16(&r, &ethertype);
        return decode_ethertype(&r, ethertype, out);
    case DLT_LINUX_SLL: /* packet type, ARPHRD, address length, 8 address bytes, protocol */
        cssp_skip(&r, 14);
        cssp_get_be16(&r, &ethertype);
        return decode_ethertype(&r, ethertype, out);
    case DLT_LINUX_SLL2: /* protocol first, then 18 bytes of interface and address data */
        cssp_get_be16(&r, &ethertype);
        cssp_skip(&r, 18);
        return decode_ethertype(&r, ethertype, out);
    case DLT_NULL: /* a 4-byte address family in the capturing host's byte order */
    case DLT_LOOP: /* the same, always big-endian */
        cssp_get_le32(&r, &address_family); /* not needed: the IP version nibble is enough */
        if (r.overrun)
            return PACKET_MALFORMED;
        return decode_ip_by_version(&r, out); /* AF_INET6 differs between BSDs: trust the IP version nibble */
    default:
        if (packet_link_supported(dlt))
            return decode_ip_by_version(&r, out);
        return PACKET_UNSUPPORTED_LINK;
    }
}

static char *put_decimal(char *p, unsigned value)
{
    char digits[10];
    size_t n = 0;
    do
        digits[n++] = (char)('0' + value % 10);
    while ((value /= 10) > 0);
    while (n > 0)
        *p++ = digits[--n];
    return p;
}

const char *tcp_endpoint_format(const tcp_endpoint *e, char buf[TCP_ENDPOINT_TEXT_SIZE])
{
    if (e->family == 6) {
        char addr[INET6_ADDRSTRLEN];
        inet_ntop(AF_INET6, e->addr, addr, sizeof addr);
        snprintf(buf, TCP_ENDPOINT_TEXT_SIZE, "[%s]:%u", addr, (unsigned)e->port);
        return buf;
    }
    /* by hand: inet_ntop and printf cost more than the rest of a connection's report line */
    char *p = buf;
    for (int i = 0; i < 4; i++) {
        p = put_decimal(p, e->addr[i]);
        *p++ = i < 3 ? '.' : ':';
    }
    *put_decimal(p, e->port) = '\0';
    return buf;
}

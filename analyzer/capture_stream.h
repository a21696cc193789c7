/*
 * capture_stream.h - one capture input read once, as a stream, on its way to libpcap.
 *
 * The input (a file, a FIFO, standard input) is read exactly once: libpcap reads it through a stdio stream
 * (fopencookie) that hands over the bytes unchanged while following a pcapng file's block structure, with
 * bounded state, to take what libpcap does not expose:
 *  - the key log of every Decryption Secrets Block, given to the key store as the block goes by (a DSB
 *    precedes the packets it decrypts, so the secrets are there before their sessions are);
 *  - the link type of each interface, and of each packet block in file order, since libpcap 1.10 refuses a
 *    file whose interfaces have different link types: an interface description whose link type differs from
 *    the first one's is passed on with the first one's, and the reader takes each packet's real link type
 *    from capture_stream_next_link().
 * A classic pcap file, or anything else, passes through untouched.
 */
#ifndef CSSP_ANALYZER_CAPTURE_STREAM_H
#define CSSP_ANALYZER_CAPTURE_STREAM_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "tls_glue.h"

#define CAPTURE_STREAM_MAX_DSB (16u * 1024 * 1024)   /* a larger Decryption Secrets Block is skipped */
#define CAPTURE_STREAM_MAX_INTERFACES 65536u         /* per section; later ones count as the first one's type */
#define CAPTURE_STREAM_HEAD 8                        /* first bytes kept, to name a compressed file */

typedef struct capture_stream capture_stream;

/*
 * Reads the descriptor `fd` (not closed: the caller owns it) through the stream returned by
 * capture_stream_file() (NULL if it could not be made); DSB key logs go to `keys` (may be NULL), their
 * problems to `diag` under the name `path`.
 */
capture_stream *capture_stream_new(int fd, const char *path, secrets *keys, FILE *diag);
/* The stdio stream to give libpcap (pcap_fopen_offline); pcap_close() closes it, then capture_stream_free(). */
FILE *capture_stream_file(capture_stream *s);
/* Bytes read from the input so far. */
uint64_t capture_stream_bytes(const capture_stream *s);
/* The first CAPTURE_STREAM_HEAD bytes of the input (fewer if it is shorter); *len is their count. */
const uint8_t *capture_stream_head(const capture_stream *s, size_t *len);
/* True when the input is pcapng and an interface's link type differed from the first interface's. */
bool capture_stream_mixed_links(const capture_stream *s);
/*
 * The link type of the oldest packet block passed to libpcap and not yet taken, or -1 if none is known
 * (not pcapng). Called once per packet libpcap returns, so packets and blocks stay paired.
 */
int capture_stream_next_link(capture_stream *s);
void capture_stream_free(capture_stream *s);

#endif

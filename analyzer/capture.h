/*
 * capture.h - reading one capture input (pcap or pcapng, a file, a FIFO or standard input) into the analysis.
 *
 * Each input is opened and read exactly once, as a stream (capture_stream.h): libpcap decodes the records,
 * while the pcapng blocks it does not expose (Decryption Secrets Blocks, the link type of each interface) are
 * taken as they go by. A BPF filter is compiled once per link type met and applied to each packet. Live capture
 * (libpcap, one or more interfaces) feeds the same analysis.
 */
#ifndef CSSP_ANALYZER_CAPTURE_H
#define CSSP_ANALYZER_CAPTURE_H

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>

#include "analysis.h"
#include "tls_glue.h"

typedef enum capture_result {
    CAPTURE_OK = 0,
    CAPTURE_TRUNCATED,   /* read as far as it goes; a warning was printed */
    CAPTURE_UNREADABLE,  /* could not be opened or is not a capture; an error was printed */
    CAPTURE_BAD_FILTER   /* the BPF filter does not compile for a link type of this file; an error was printed */
} capture_result;

typedef struct capture_filter capture_filter;

/*
 * A BPF filter (pcap-filter(7)), checked now against Ethernet, the usual link type: NULL and a newly allocated
 * message in *error when it does not compile.
 */
capture_filter *capture_filter_new(const char *expression, char **error);
void capture_filter_free(capture_filter *f);

/*
 * Feeds every packet of the input to the analysis; "-" is standard input. `filter` may be NULL. Key logs of
 * the input's Decryption Secrets Blocks go to `keys`, which the analysis reads.
 */
capture_result capture_read(const char *path, capture_filter *filter, secrets *keys, analysis *a, bool progress,
                            FILE *diag);

/*
 * Live capture on the given interfaces (NULL-terminated) until *stop becomes true (a signal handler sets it):
 * every packet goes to the analysis as it arrives, so a connection is reported as soon as its verdict settles.
 * CAPTURE_UNREADABLE (an error line per interface: no such interface, no capture privilege) when an interface
 * cannot be opened; nothing is captured then.
 */
capture_result capture_live(char **interfaces, capture_filter *filter, analysis *a, const volatile sig_atomic_t *stop,
                            FILE *diag);

#endif

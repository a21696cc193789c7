/*
 * capture.h - reading one capture file (pcap or pcapng, through libpcap) into the analysis.
 *
 * Before the packets, a pcapng file's Decryption Secrets Blocks (TLS key logs
 * embedded by `editcap --inject-secrets`) are read with a small bounded block
 * walker, since libpcap does not expose them, and given to the key store.
 */
#ifndef CSSP_ANALYZER_CAPTURE_H
#define CSSP_ANALYZER_CAPTURE_H

#include <stdbool.h>
#include <stdio.h>

#include "analysis.h"
#include "tls_glue.h"

typedef enum capture_result {
    CAPTURE_OK = 0,
    CAPTURE_TRUNCATED,   /* read as far as it goes; a warning was printed */
    CAPTURE_UNREADABLE,  /* could not be opened or is not a capture; an error was printed */
    CAPTURE_BAD_FILTER   /* the BPF filter does not compile for this file; an error was printed */
} capture_result;

/* Loads the key-log text of every DSB that precedes the first packet block. Silent for pcap files. */
void capture_load_dsb_secrets(const char *path, secrets *keys, FILE *diag);

/* Feeds every packet of the file to the analysis. `filter` may be NULL. */
capture_result capture_read(const char *path, const char *filter, analysis *a, bool progress, FILE *diag);

#endif

/*
 * tls_numbers.h - TLS's numbers that the core's rules and the front ends both read: the protocol versions
 * (as ServerHello and the engine's TLS event carry them) and the alerts the rules tell apart. The record
 * content types belong to the record framing (cssp/tls_framer.h), the names to cssp/names.h.
 */
#ifndef CSSP_TLS_NUMBERS_H
#define CSSP_TLS_NUMBERS_H

#define TLS_VERSION_1_0 0x0301
#define TLS_VERSION_1_1 0x0302
#define TLS_VERSION_1_2 0x0303
#define TLS_VERSION_1_3 0x0304

#define TLS_ALERT_WARNING 1      /* AlertLevel (RFC 5246 7.2) */
#define TLS_ALERT_CLOSE_NOTIFY 0 /* AlertDescription */

#endif

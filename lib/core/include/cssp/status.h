/*
 * status.h - the one error vocabulary of the core decoders.
 *
 * Every decoder in lib/ returns a cssp_status. CSSP_OK is zero so callers can
 * write `if (st != CSSP_OK)`. cssp_status_string() gives a short English text
 * fit for a one-line diagnostic or an expert item.
 */
#ifndef CSSP_STATUS_H
#define CSSP_STATUS_H

typedef enum cssp_status {
    CSSP_OK = 0,
    CSSP_ERR_TRUNCATED,          /* the buffer ends inside an element header or value */
    CSSP_ERR_LENGTH_PAST_END,    /* a length field claims more bytes than its container holds */
    CSSP_ERR_INDEFINITE_LENGTH,  /* BER indefinite length (0x80): not allowed in DER */
    CSSP_ERR_LENGTH_TOO_LONG,    /* a long-form length of more than 4 bytes */
    CSSP_ERR_TOO_DEEP,           /* nesting deeper than CSSP_DER_MAX_DEPTH */
    CSSP_ERR_INTEGER_RANGE,      /* an INTEGER that does not fit the requested C type */
    CSSP_ERR_UNEXPECTED_TAG,     /* a tag other than the one the grammar requires */
    CSSP_ERR_BAD_ENCODING,       /* violates the encoding rules (empty INTEGER, bad TPKT version, ...) */
    CSSP_ERR_NOT_RECOGNISED      /* well-formed bytes of some other protocol */
} cssp_status;

const char *cssp_status_string(cssp_status st);

#endif

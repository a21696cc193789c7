/* status.c - English texts for cssp_status (see status.h). */
#include "cssp/status.h"

const char *cssp_status_string(cssp_status st)
{
    switch (st) {
    case CSSP_OK: return "ok";
    case CSSP_ERR_TRUNCATED: return "truncated";
    case CSSP_ERR_LENGTH_PAST_END: return "length runs past the end of its container";
    case CSSP_ERR_INDEFINITE_LENGTH: return "indefinite length is not allowed in DER";
    case CSSP_ERR_LENGTH_TOO_LONG: return "length field longer than 4 bytes";
    case CSSP_ERR_TOO_DEEP: return "nesting too deep";
    case CSSP_ERR_INTEGER_RANGE: return "integer out of range";
    case CSSP_ERR_UNEXPECTED_TAG: return "unexpected tag";
    case CSSP_ERR_BAD_ENCODING: return "bad encoding";
    case CSSP_ERR_NOT_RECOGNISED: return "not recognised";
    }
    return "unknown status";
}

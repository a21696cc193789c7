/* roles.c - which side is RDP's client (see roles.h). */
#include "cssp/roles.h"

bool cssp_sent_by_client(uint16_t src_port, uint16_t dst_port, uint16_t server_port)
{
    if (server_port != 0 && (src_port == server_port) != (dst_port == server_port))
        return dst_port == server_port;
    if (src_port == CSSP_RDP_PORT || dst_port == CSSP_RDP_PORT)
        return dst_port == CSSP_RDP_PORT;
    return src_port > dst_port;
}

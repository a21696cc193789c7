/* test_roles.c - which side is RDP's client when no X.224 exchange says it. */
#include "check.h"
#include "cssp/roles.h"

int main(void)
{
    /* the SYN's destination is the server, whatever the ports */
    CHECK(cssp_sent_by_client(50000, 13389, 13389));
    CHECK(!cssp_sent_by_client(13389, 50000, 13389));
    CHECK(!cssp_sent_by_client(3389, 13389, 3389)); /* the SYN outranks the well-known port */
    /* no SYN: the side sending to 3389 */
    CHECK(cssp_sent_by_client(50000, CSSP_RDP_PORT, 0));
    CHECK(!cssp_sent_by_client(CSSP_RDP_PORT, 50000, 0));
    CHECK(!cssp_sent_by_client(CSSP_RDP_PORT, 1024, 0)); /* even from a lower port */
    CHECK(cssp_sent_by_client(CSSP_RDP_PORT, CSSP_RDP_PORT, 0));
    /* neither: the higher port is the ephemeral one, the client's */
    CHECK(cssp_sent_by_client(50000, 13389, 0));
    CHECK(!cssp_sent_by_client(13389, 50000, 0));
    return check_summary("roles");
}

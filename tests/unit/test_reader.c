/* test_reader.c - the bounds-checked cursor: every read stays inside its window, errors are sticky. */
#include "check.h"
#include "cssp/reader.h"

static void test_reads_in_order(void)
{
    const uint8_t buf[] = {0x03, 0x00, 0x00, 0x13, 0x0e, 0xe0, 0x01, 0x02, 0x03, 0x04};
    cssp_reader r;
    uint8_t b;
    uint16_t w;
    uint32_t d;
    cssp_reader_init(&r, buf, sizeof buf);
    CHECK(cssp_get_u8(&r, &b) && b == 0x03);
    CHECK(cssp_get_u8(&r, &b) && b == 0x00);
    CHECK(cssp_get_be16(&r, &w) && w == 0x0013);
    CHECK(cssp_get_le16(&r, &w) && w == 0xe00e);
    CHECK(cssp_get_le32(&r, &d) && d == 0x04030201);
    CHECK_EQ_U(cssp_reader_remaining(&r), 0);
    CHECK(!r.overrun);
    r.pos = 0;
    CHECK(cssp_get_be32(&r, &d) && d == 0x03000013);
    r.pos = 1;
    CHECK(cssp_get_be24(&r, &d) && d == 0x000013); /* a TLS handshake message's length */
    r.pos = 8;
    CHECK(!cssp_get_be24(&r, &d) && d == 0 && r.overrun);
}

static void test_overrun_is_sticky(void)
{
    const uint8_t buf[] = {1, 2, 3};
    cssp_reader r;
    uint32_t d = 99;
    uint8_t b = 99;
    cssp_reader_init(&r, buf, sizeof buf);
    CHECK(!cssp_get_le32(&r, &d));
    CHECK_EQ_U(d, 0);
    CHECK(r.overrun);
    /* a byte is there, but after an overrun nothing more is read */
    CHECK(!cssp_get_u8(&r, &b));
    CHECK_EQ_U(b, 0);
    CHECK_EQ_U(cssp_reader_remaining(&r), 0);
}

static void test_huge_lengths_never_wrap(void)
{
    const uint8_t buf[] = {1, 2, 3, 4};
    cssp_reader r;
    const uint8_t *p = buf;
    cssp_reader_init(&r, buf, sizeof buf);
    CHECK(cssp_skip(&r, 1));
    CHECK(!cssp_get_bytes(&r, SIZE_MAX, &p));
    CHECK(p == NULL);
    cssp_reader_init(&r, buf, sizeof buf);
    CHECK(!cssp_skip(&r, SIZE_MAX - 1));
}

static void test_sub_reader(void)
{
    const uint8_t buf[] = {0xaa, 0xbb, 0xcc, 0xdd, 0xee};
    cssp_reader r, sub;
    uint8_t b;
    uint16_t w;
    cssp_reader_init(&r, buf, sizeof buf);
    CHECK(cssp_skip(&r, 1));
    CHECK(cssp_get_sub(&r, 2, &sub));
    CHECK_EQ_U(sub.pos, 1); /* offsets stay relative to the whole buffer */
    CHECK(cssp_get_le16(&sub, &w) && w == 0xccbb);
    CHECK(!cssp_get_u8(&sub, &b)); /* the sub-window ends at 3 even though the buffer goes on */
    CHECK(cssp_get_u8(&r, &b) && b == 0xdd);
    CHECK(!cssp_get_sub(&r, 2, &sub));
    CHECK(sub.overrun);
}

static void test_starts_with(void)
{
    const uint8_t buf[] = "NTLMSSP";
    cssp_reader r;
    cssp_reader_init(&r, buf, 7);
    CHECK(cssp_reader_starts_with(&r, "NTLM", 4));
    CHECK(!cssp_reader_starts_with(&r, "NTLMSSP\0", 8)); /* one byte past the window */
    CHECK(!cssp_reader_starts_with(&r, "XTLM", 4));
    cssp_reader_init(&r, NULL, 5);
    CHECK_EQ_U(cssp_reader_remaining(&r), 0);
}

int main(void)
{
    test_reads_in_order();
    test_overrun_is_sticky();
    test_huge_lengths_never_wrap();
    test_sub_reader();
    test_starts_with();
    return check_summary("reader");
}

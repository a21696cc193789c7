/*
 * capture_stream.c - one capture input read once, as a stream, on its way to libpcap (see capture_stream.h).
 *
 * The bytes go to libpcap unchanged but for one field: the link type of an interface description that differs
 * from the first interface's. At each block start the 12 bytes that name the block (type, length, and the first
 * body word: an SHB's byte-order magic, an IDB's link type, an EPB's interface, a DSB's secrets type) are read
 * whole before they are handed on, so that field can be rewritten; the body then passes straight through, and
 * only a DSB's body is kept (at most CAPTURE_STREAM_MAX_DSB). A file that stops looking like pcapng is passed
 * on untouched, for libpcap to judge.
 */
#define _GNU_SOURCE /* fopencookie */
#include "capture_stream.h"

#include <errno.h>
#include <glib.h>
#include <openssl/crypto.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"

enum {
    BLOCK_HEADER = 12,
    PCAPNG_SHB = 0x0A0D0D0A,
    PCAPNG_IDB = 1,
    PCAPNG_PB = 2,       /* obsolete Packet Block */
    PCAPNG_SPB = 3,
    PCAPNG_EPB = 6,
    PCAPNG_DSB = 10,
    PCAPNG_BYTE_ORDER_MAGIC = 0x1A2B3C4D,
    DSB_TLS_KEY_LOG = 0x544c534b, /* "TLSK" */
};

typedef enum { FORMAT_UNKNOWN, FORMAT_PCAPNG, FORMAT_OTHER } stream_format;

enum { INPUT_BUFFER = 64 * 1024 }; /* one read(2) per this many bytes, not one per block header and body */

struct capture_stream {
    int fd;
    FILE *file;                 /* the fopencookie stream libpcap reads */
    const char *path;           /* for messages; the caller's */
    secrets *keys;
    FILE *diag;
    uint64_t bytes;
    uint8_t *input;             /* INPUT_BUFFER bytes read ahead from fd */
    size_t input_pos, input_len;
    uint8_t head[CAPTURE_STREAM_HEAD];
    size_t head_len;
    stream_format format;
    bool swapped;               /* the current section's byte order is not ours */
    uint8_t header[BLOCK_HEADER];
    size_t header_len, header_sent;
    uint64_t body_left;         /* bytes of the current block after its header */
    GByteArray *dsb;            /* a DSB's body being kept (from its secrets type on), or NULL */
    GArray *links;              /* int: the link type of each interface of the current section */
    int first_link;             /* of the file's first interface, -1 before it */
    bool mixed;
    GArray *pending;            /* int: link types of packet blocks handed on and not yet taken, in order */
    guint pending_head;
};

static uint32_t word32(const capture_stream *s, const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return s->swapped ? GUINT32_SWAP_LE_BE(v) : v;
}

static uint16_t word16(const capture_stream *s, const uint8_t *p)
{
    uint16_t v;
    memcpy(&v, p, 2);
    return s->swapped ? GUINT16_SWAP_LE_BE(v) : v;
}

/* Up to `size` bytes of the input into `buf`, keeping the first ones; 0 at its end, -1 on an error (errno). */
static ssize_t pull(capture_stream *s, void *buf, size_t size)
{
    if (s->input_pos == s->input_len) {
        ssize_t n;
        do
            n = read(s->fd, s->input, INPUT_BUFFER);
        while (n < 0 && errno == EINTR);
        if (n <= 0)
            return n;
        size_t keep = MIN((size_t)n, CAPTURE_STREAM_HEAD - s->head_len);
        memcpy(s->head + s->head_len, s->input, keep);
        s->head_len += keep;
        s->bytes += (uint64_t)n;
        s->input_pos = 0;
        s->input_len = (size_t)n;
    }
    size_t n = MIN(size, s->input_len - s->input_pos);
    memcpy(buf, s->input + s->input_pos, n);
    s->input_pos += n;
    return (ssize_t)n;
}

static int interface_link(const capture_stream *s, uint32_t interface)
{
    return interface < s->links->len ? g_array_index(s->links, int, interface) : -1;
}

static void push_packet(capture_stream *s, int link)
{
    /* libpcap is at most a stdio buffer behind: drop what it took, so the queue stays that short */
    if (s->pending_head > 0 && s->pending_head >= s->pending->len / 2) {
        g_array_remove_range(s->pending, 0, s->pending_head);
        s->pending_head = 0;
    }
    g_array_append_val(s->pending, link);
}

/* The header of a block has been read whole: note what it says; may rewrite an IDB's link type. */
static void start_block(capture_stream *s)
{
    uint32_t type;
    memcpy(&type, s->header, 4);
    if (type == PCAPNG_SHB) { /* the same bytes in either order */
        uint32_t magic;
        memcpy(&magic, s->header + 8, 4);
        if (magic != PCAPNG_BYTE_ORDER_MAGIC && magic != GUINT32_SWAP_LE_BE(PCAPNG_BYTE_ORDER_MAGIC)) {
            s->format = FORMAT_OTHER;
            return;
        }
        s->swapped = magic != PCAPNG_BYTE_ORDER_MAGIC;
        s->format = FORMAT_PCAPNG;
        g_array_set_size(s->links, 0);
    } else if (s->format == FORMAT_UNKNOWN) {
        s->format = FORMAT_OTHER; /* a classic pcap file, or not a capture */
        return;
    }
    type = word32(s, s->header);
    uint32_t len = word32(s, s->header + 4);
    if (len < BLOCK_HEADER || len % 4) { /* libpcap says what is wrong */
        s->format = FORMAT_OTHER;
        return;
    }
    s->body_left = len - BLOCK_HEADER;
    switch (type) {
    case PCAPNG_IDB: {
        int link = word16(s, s->header + 8);
        if (s->links->len < CAPTURE_STREAM_MAX_INTERFACES)
            g_array_append_val(s->links, link);
        if (s->first_link < 0) {
            s->first_link = link;
        } else if (link != s->first_link) {
            uint16_t first = (uint16_t)s->first_link;
            if (s->swapped)
                first = GUINT16_SWAP_LE_BE(first);
            memcpy(s->header + 8, &first, 2);
            s->mixed = true;
        }
        break;
    }
    case PCAPNG_EPB: push_packet(s, interface_link(s, word32(s, s->header + 8))); break;
    case PCAPNG_PB: push_packet(s, interface_link(s, word16(s, s->header + 8))); break;
    case PCAPNG_SPB: push_packet(s, interface_link(s, 0)); break;
    case PCAPNG_DSB:
        if (word32(s, s->header + 8) != DSB_TLS_KEY_LOG)
            break;
        if (s->body_left > CAPTURE_STREAM_MAX_DSB + 8) {
            diag_say(s->diag, s->path, 0, "malformed Decryption Secrets Block, skipped");
            break;
        }
        s->dsb = g_byte_array_sized_new((guint)s->body_left + 4);
        g_byte_array_append(s->dsb, s->header + 8, 4);
        break;
    default: break;
    }
}

/* A kept DSB holds secrets: wiped before it is freed, as the key-log store wipes its own. */
static void drop_dsb(capture_stream *s)
{
    OPENSSL_cleanse(s->dsb->data, s->dsb->len);
    g_byte_array_free(s->dsb, TRUE);
    s->dsb = NULL;
}

/* The last byte of the block went by: a kept DSB gives its key log. */
static void end_block(capture_stream *s)
{
    if (s->dsb) {
        /* kept: secrets type, secrets length, the key log and its padding, options, the trailing length */
        uint32_t secrets_len = s->dsb->len >= 12 ? word32(s, s->dsb->data + 4) : 0;
        if (s->dsb->len < 12 || secrets_len > s->dsb->len - 12)
            diag_say(s->diag, s->path, 0, "malformed Decryption Secrets Block, skipped");
        else if (s->keys)
            secrets_add_keylog_text(s->keys, s->path, s->dsb->data + 8, secrets_len, s->diag);
        drop_dsb(s);
    }
    s->header_len = s->header_sent = 0;
}

static ssize_t stream_read(void *cookie, char *buf, size_t size)
{
    capture_stream *s = cookie;
    size_t out = 0;
    while (out < size) {
        if (s->header_sent < s->header_len && (s->header_len == BLOCK_HEADER || s->format == FORMAT_OTHER)) {
            size_t n = MIN(size - out, s->header_len - s->header_sent);
            memcpy(buf + out, s->header + s->header_sent, n);
            s->header_sent += n;
            out += n;
            if (s->header_sent == s->header_len && s->format != FORMAT_OTHER && s->body_left == 0)
                end_block(s);
            continue;
        }
        if (s->format == FORMAT_OTHER || s->body_left > 0) {
            size_t want = size - out;
            if (s->format != FORMAT_OTHER)
                want = (size_t)MIN((uint64_t)want, s->body_left);
            if (out > 0 && s->format == FORMAT_OTHER)
                break; /* hand over what there is rather than wait */
            ssize_t n = pull(s, buf + out, want);
            if (n <= 0)
                return out > 0 ? (ssize_t)out : n;
            if (s->format != FORMAT_OTHER) {
                if (s->dsb)
                    g_byte_array_append(s->dsb, (const guint8 *)buf + out, (guint)n);
                s->body_left -= (uint64_t)n;
                if (s->body_left == 0)
                    end_block(s);
            }
            out += (size_t)n;
            if (s->format == FORMAT_OTHER)
                break;
            continue;
        }
        /* a block starts: its header is read whole before any of it is handed on */
        ssize_t n = pull(s, s->header + s->header_len, BLOCK_HEADER - s->header_len);
        if (n < 0)
            return out > 0 ? (ssize_t)out : n;
        if (n == 0) { /* the input ends inside a header, or between blocks */
            if (s->header_len == 0)
                break;
            s->format = FORMAT_OTHER; /* the partial header goes on; libpcap reports the truncation */
            continue;
        }
        s->header_len += (size_t)n;
        if (s->header_len == BLOCK_HEADER)
            start_block(s);
    }
    return (ssize_t)out;
}

static int stream_close(void *cookie)
{
    (void)cookie; /* the input belongs to the caller */
    return 0;
}

capture_stream *capture_stream_new(int fd, const char *path, secrets *keys, FILE *diag)
{
    capture_stream *s = g_new0(capture_stream, 1);
    s->fd = fd;
    s->path = path;
    s->keys = keys;
    s->diag = diag;
    s->first_link = -1;
    s->links = g_array_new(FALSE, FALSE, sizeof(int));
    s->pending = g_array_new(FALSE, FALSE, sizeof(int));
    s->input = g_malloc(INPUT_BUFFER);
    cookie_io_functions_t io = {.read = stream_read, .close = stream_close};
    s->file = fopencookie(s, "rb", io);
    if (s->file)
        setvbuf(s->file, NULL, _IOFBF, INPUT_BUFFER); /* fewer calls into stream_read */
    return s;
}

FILE *capture_stream_file(capture_stream *s)
{
    return s->file;
}

uint64_t capture_stream_bytes(const capture_stream *s)
{
    return s->bytes;
}

const uint8_t *capture_stream_head(const capture_stream *s, size_t *len)
{
    *len = s->head_len;
    return s->head;
}

bool capture_stream_mixed_links(const capture_stream *s)
{
    return s->mixed;
}

int capture_stream_next_link(capture_stream *s)
{
    if (s->pending_head >= s->pending->len)
        return -1;
    return g_array_index(s->pending, int, s->pending_head++);
}

void capture_stream_free(capture_stream *s)
{
    if (!s)
        return;
    if (s->dsb)
        drop_dsb(s);
    OPENSSL_cleanse(s->input, INPUT_BUFFER); /* it may have held a DSB's secrets */
    g_array_free(s->links, TRUE);
    g_array_free(s->pending, TRUE);
    g_free(s->input);
    g_free(s);
}

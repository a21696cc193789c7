/*
 * capture.c - capture files into the analysis (see capture.h).
 */
#include "capture.h"

#include <errno.h>
#include <stdarg.h>
#include <glib.h>
#include <pcap/pcap.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cssp/inert.h"
#include "cssp/reader.h"

enum {
    PCAPNG_SHB = 0x0A0D0D0A,
    PCAPNG_DSB = 0x0000000A,
    PCAPNG_BYTE_ORDER_MAGIC = 0x1A2B3C4D,
    DSB_TLS_KEY_LOG = 0x544c534b, /* "TLSK" */
    PCAPNG_MAX_DSB = 16 * 1024 * 1024,
    PCAPNG_MAX_BLOCKS_SCANNED = 4096
};

/*
 * One line on stderr about a file: "credssp-analyze: FILE: PROBLEM". Both are made inert (cssp/inert.h): the
 * name is anybody's, and the problem may quote libpcap, which may quote the file or the filter.
 */
G_GNUC_PRINTF(3, 4) static void say(FILE *diag, const char *path, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    char *problem = g_strdup_vprintf(format, args);
    va_end(args);
    char *shown_path = cssp_inert_dup(path), *shown_problem = cssp_inert_dup(problem);
    fprintf(diag, "credssp-analyze: %s: %s\n", shown_path, shown_problem);
    g_free(shown_path);
    g_free(shown_problem);
    g_free(problem);
}

static uint32_t swap32(uint32_t v)
{
    return (v >> 24) | ((v >> 8) & 0xff00) | ((v << 8) & 0xff0000) | (v << 24);
}

static bool read_u32(FILE *f, bool swapped, uint32_t *out)
{
    uint32_t v;
    if (fread(&v, 4, 1, f) != 1)
        return false;
    *out = swapped ? swap32(v) : v;
    return true;
}

void capture_load_dsb_secrets(const char *path, secrets *keys, FILE *diag)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return; /* capture_read reports it */
    uint32_t type, len, magic;
    bool swapped = false;
    if (!read_u32(f, false, &type) || type != PCAPNG_SHB || !read_u32(f, false, &len) || !read_u32(f, false, &magic)) {
        fclose(f);
        return;
    }
    if (magic == swap32(PCAPNG_BYTE_ORDER_MAGIC)) {
        swapped = true;
        len = swap32(len);
    }
    long block_start = 0;
    for (int blocks = 0; blocks < PCAPNG_MAX_BLOCKS_SCANNED; blocks++) {
        if (len < 12 || len % 4 || fseek(f, block_start + (long)len, SEEK_SET) != 0)
            break;
        block_start += (long)len;
        if (!read_u32(f, swapped, &type) || !read_u32(f, swapped, &len))
            break;
        if (type == PCAPNG_SHB) { /* a new section may change the byte order */
            if (!read_u32(f, false, &magic))
                break;
            swapped = magic == swap32(PCAPNG_BYTE_ORDER_MAGIC);
            if (swapped)
                len = swap32(len);
            continue;
        }
        if (type == 2 || type == 3 || type == 6) /* packet blocks: secrets after them come too late */
            break;
        if (type != PCAPNG_DSB)
            continue;
        uint32_t secrets_type, secrets_len;
        if (!read_u32(f, swapped, &secrets_type) || !read_u32(f, swapped, &secrets_len))
            break;
        if (secrets_type != DSB_TLS_KEY_LOG || secrets_len > PCAPNG_MAX_DSB || secrets_len > len - 20) {
            if (secrets_type == DSB_TLS_KEY_LOG)
                say(diag, path, "malformed Decryption Secrets Block, skipped");
            continue;
        }
        char *text = g_malloc(secrets_len ? secrets_len : 1);
        if (fread(text, 1, secrets_len, f) == secrets_len)
            secrets_add_keylog_text(keys, path, text, secrets_len, diag);
        g_free(text);
    }
    fclose(f);
}

/*
 * A frame's capture time in microseconds. pcapng timestamps are 64 bits in any
 * resolution, so a hostile one need not fit: clamp it instead of overflowing.
 */
static int64_t capture_time_us(const struct timeval *tv)
{
    const int64_t max_sec = INT64_MAX / 1000000 - 8192; /* leaves room for any tv_usec libpcap gives (< 2^32) */
    int64_t sec = tv->tv_sec < 0 ? 0 : tv->tv_sec > max_sec ? max_sec : (int64_t)tv->tv_sec;
    return sec * 1000000 + (tv->tv_usec < 0 ? 0 : (int64_t)tv->tv_usec);
}

static void show_progress(const char *shown, FILE *f, off_t size, FILE *diag)
{
    long pos = ftell(f);
    if (pos >= 0 && size > 0)
        fprintf(diag, "\r%s: %3d%%", shown, (int)(100.0 * (double)pos / (double)size));
}

capture_result capture_read(const char *path, const char *filter, analysis *a, bool progress, FILE *diag)
{
    char errbuf[PCAP_ERRBUF_SIZE] = "";
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        say(diag, path, "is a directory");
        return CAPTURE_UNREADABLE;
    }
    pcap_t *p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_MICRO, errbuf);
    if (!p) {
        if (stat(path, &st) != 0)
            say(diag, path, "%s", strerror(errno));
        else if (st.st_size == 0)
            say(diag, path, "empty file, not a capture");
        else
            say(diag, path, "not a readable capture (%s)", errbuf);
        return CAPTURE_UNREADABLE;
    }
    if (filter) {
        struct bpf_program prog;
        if (pcap_compile(p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) != 0 || pcap_setfilter(p, &prog) != 0) {
            say(diag, path, "bad filter \"%s\": %s", filter, pcap_geterr(p));
            pcap_close(p);
            return CAPTURE_BAD_FILTER;
        }
        pcap_freecode(&prog);
    }
    int dlt = pcap_datalink(p);
    if (!packet_link_supported(dlt))
        say(diag, path, "link type %s is not supported; no packet will be analysed",
            pcap_datalink_val_to_name(dlt) ? pcap_datalink_val_to_name(dlt) : "unknown");
    progress = progress && stat(path, &st) == 0;
    char *shown = progress ? cssp_inert_dup(path) : NULL;
    FILE *f = progress ? pcap_file(p) : NULL;
    time_t last = 0;
    struct pcap_pkthdr *h;
    const u_char *data;
    int rc;
    uint64_t n = 0;
    while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
        analysis_packet(a, dlt, capture_time_us(&h->ts), data, h->caplen);
        if (f && (++n & 0xffff) == 0 && time(NULL) != last) {
            last = time(NULL);
            show_progress(shown, f, st.st_size, diag);
        }
    }
    if (f && last)
        fprintf(diag, "\r%s: 100%%\n", shown);
    g_free(shown);
    capture_result result = CAPTURE_OK;
    if (rc == PCAP_ERROR) {
        say(diag, path, "warning: capture truncated (%s); analysed as far as it goes", pcap_geterr(p));
        result = CAPTURE_TRUNCATED;
    }
    pcap_close(p);
    return result;
}

/*
 * capture.c - capture inputs into the analysis (see capture.h).
 */
#include "capture.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <glib.h>
#include <pcap/pcap.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "capture_stream.h"
#include "diag.h"
#include "cssp/inert.h"

enum {
    FILTER_SNAPLEN = 262144,
    MAX_WARNED_LINKS = 8,
    LIVE_SNAPLEN = 262144,
    LIVE_POLL_MS = 200,     /* how often a live capture looks at its stop flag */
    LIVE_MAX_INTERFACES = 64
};

/* One compiled program per link type met (few: a capture has one, or a handful of interfaces). */
typedef struct filter_program {
    int link;
    bool compiled;
    struct bpf_program program;
} filter_program;

struct capture_filter {
    char *expression;
    GArray *programs; /* filter_program */
};

/* Compiles `expression` for `link`; false and a message in *error (newly allocated) when it does not compile. */
static bool compile_for(const char *expression, int link, struct bpf_program *program, char **error)
{
    pcap_t *dead = pcap_open_dead(link, FILTER_SNAPLEN);
    if (!dead) {
        *error = g_strdup("out of memory");
        return false;
    }
    bool ok = pcap_compile(dead, program, expression, 1, PCAP_NETMASK_UNKNOWN) == 0;
    if (!ok)
        *error = g_strdup(pcap_geterr(dead));
    pcap_close(dead);
    return ok;
}

capture_filter *capture_filter_new(const char *expression, char **error)
{
    capture_filter *f = g_new0(capture_filter, 1);
    f->expression = g_strdup(expression);
    f->programs = g_array_new(FALSE, TRUE, sizeof(filter_program));
    filter_program ethernet = {.link = DLT_EN10MB};
    if (!compile_for(expression, DLT_EN10MB, &ethernet.program, error)) {
        capture_filter_free(f);
        return NULL;
    }
    ethernet.compiled = true;
    g_array_append_val(f->programs, ethernet);
    return f;
}

void capture_filter_free(capture_filter *f)
{
    if (!f)
        return;
    for (guint i = 0; i < f->programs->len; i++) {
        filter_program *fp = &g_array_index(f->programs, filter_program, i);
        if (fp->compiled)
            pcap_freecode(&fp->program);
    }
    g_array_free(f->programs, TRUE);
    g_free(f->expression);
    g_free(f);
}

/* The program for `link`, compiled at its first use; NULL (said once per input) when it does not compile. */
static const filter_program *program_for(capture_filter *f, int link, const char *path, FILE *diag)
{
    for (guint i = 0; i < f->programs->len; i++) {
        const filter_program *fp = &g_array_index(f->programs, filter_program, i);
        if (fp->link == link)
            return fp->compiled ? fp : NULL;
    }
    filter_program fp = {.link = link};
    char *error = NULL;
    fp.compiled = compile_for(f->expression, link, &fp.program, &error);
    if (!fp.compiled) {
        const char *name = pcap_datalink_val_to_name(link);
        diag_say(diag, path, 0, "bad filter \"%s\" for link type %s: %s", f->expression, name ? name : "unknown", error);
        g_free(error);
    }
    g_array_append_val(f->programs, fp);
    return fp.compiled ? &g_array_index(f->programs, filter_program, f->programs->len - 1) : NULL;
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

/* The compressor whose magic number starts the input, or NULL: libpcap 1.10 reads no compressed capture. */
static const char *compressor(const uint8_t *head, size_t len)
{
    static const struct {
        const char *name;
        size_t len;
        uint8_t magic[6];
    } formats[] = {
        {"gzip", 2, {0x1f, 0x8b}},
        {"zstd", 4, {0x28, 0xb5, 0x2f, 0xfd}},
        {"lz4", 4, {0x04, 0x22, 0x4d, 0x18}},
        {"xz", 6, {0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00}},
        {"bzip2", 3, {0x42, 0x5a, 0x68}},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(formats); i++)
        if (len >= formats[i].len && memcmp(head, formats[i].magic, formats[i].len) == 0)
            return formats[i].name;
    return NULL;
}

/* Why libpcap could not open the input, in the user's words. */
static void say_unreadable(const char *path, capture_stream *cs, const char *pcap_error, FILE *diag)
{
    size_t len;
    const uint8_t *head = capture_stream_head(cs, &len);
    const char *packer = compressor(head, len);
    if (len == 0)
        diag_say(diag, path, 0, "empty file, not a capture");
    else if (packer)
        diag_say(diag, path, 0, "compressed with %s, which this tool does not read; decompress it first, e.g. "
                        "'%s -dc FILE | credssp-analyze -'", packer, packer);
    else
        diag_say(diag, path, 0, "not a readable capture (%s)", pcap_error);
}

/*
 * A link type of a packet that the frame decoder does not read: said once per input and link type, for the
 * first MAX_WARNED_LINKS such types (a forged file may declare thousands).
 */
static void check_link(int link, int *warned, size_t *n_warned, const char *path, FILE *diag)
{
    if (packet_link_supported(link))
        return;
    for (size_t i = 0; i < *n_warned; i++)
        if (warned[i] == link)
            return;
    if (*n_warned == MAX_WARNED_LINKS)
        return;
    warned[(*n_warned)++] = link;
    const char *name = pcap_datalink_val_to_name(link);
    diag_say(diag, path, 0, "link type %s is not supported; no packet will be analysed", name ? name : "unknown");
}

/*
 * The DLT (what libpcap's API and BPF speak) of a LINKTYPE (what files hold): the same number but for the four
 * that some systems numbered differently, as libpcap itself maps them when it reads a file.
 */
static int dlt_of_linktype(int linktype)
{
    switch (linktype) {
    case 100: return DLT_ATM_RFC1483;
    case 101: return DLT_RAW;
    case 102: return DLT_SLIP_BSDOS;
    case 103: return DLT_PPP_BSDOS;
    default: return linktype;
    }
}

static capture_result read_packets(const char *path, pcap_t *p, capture_stream *cs, capture_filter *filter,
                                   analysis *a, off_t size, bool progress, FILE *diag)
{
    int file_link = pcap_datalink(p), warned[MAX_WARNED_LINKS];
    size_t n_warned = 0;
    if (!capture_stream_mixed_links(cs))
        check_link(file_link, warned, &n_warned, path, diag);
    char *shown = progress ? cssp_inert_dup(path) : NULL;
    time_t last = 0;
    struct pcap_pkthdr *h;
    const u_char *data;
    int rc;
    uint64_t n = 0;
    capture_result result = CAPTURE_OK;
    while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
        int link = dlt_of_linktype(capture_stream_next_link(cs)); /* each block's own: interfaces may differ */
        if (link < 0)
            link = file_link;
        else if (link != file_link)
            check_link(link, warned, &n_warned, path, diag);
        if (filter) {
            const filter_program *fp = program_for(filter, link, path, diag);
            if (!fp) {
                result = CAPTURE_BAD_FILTER;
                continue;
            }
            if (!pcap_offline_filter(&fp->program, h, data))
                continue;
        }
        analysis_packet(a, link, capture_time_us(&h->ts), data, h->caplen);
        if (shown && (++n & 0xffff) == 0 && time(NULL) != last) {
            last = time(NULL);
            fprintf(diag, "\r%s: %3d%%", shown, (int)(100.0 * (double)capture_stream_bytes(cs) / (double)size));
        }
    }
    if (shown && last)
        fprintf(diag, "\r%s: 100%%\n", shown);
    g_free(shown);
    if (rc == PCAP_ERROR) {
        diag_say(diag, path, 0, "warning: capture truncated (%s); analysed as far as it goes", pcap_geterr(p));
        if (result == CAPTURE_OK)
            result = CAPTURE_TRUNCATED;
    }
    return result;
}

capture_result capture_read(const char *path, capture_filter *filter, secrets *keys, analysis *a, bool progress,
                            FILE *diag)
{
    bool is_stdin = strcmp(path, "-") == 0;
    int fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        diag_say(diag, path, 0, "%s", strerror(errno));
        return CAPTURE_UNREADABLE;
    }
    struct stat st;
    bool stated = fstat(fd, &st) == 0;
    bool known_size = stated && S_ISREG(st.st_mode) && st.st_size > 0; /* for the progress indicator */
    if (stated && S_ISDIR(st.st_mode)) {
        diag_say(diag, path, 0, "is a directory");
        if (!is_stdin)
            close(fd);
        return CAPTURE_UNREADABLE;
    }
    capture_result result = CAPTURE_UNREADABLE;
    capture_stream *cs = capture_stream_new(fd, path, keys, diag);
    FILE *f = capture_stream_file(cs);
    char errbuf[PCAP_ERRBUF_SIZE] = "";
    pcap_t *p = f ? pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_MICRO, errbuf) : NULL;
    if (p) {
        result = read_packets(path, p, cs, filter, a, st.st_size, progress && known_size, diag);
        pcap_close(p); /* closes f */
    } else {
        say_unreadable(path, cs, f ? errbuf : strerror(errno), diag);
        if (f)
            fclose(f);
    }
    capture_stream_free(cs);
    if (!is_stdin)
        close(fd);
    return result;
}

/* ---- live capture ---- */

typedef struct live_interface {
    const char *name;
    pcap_t *pcap;
    int link;
} live_interface;

static void live_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *data)
{
    void **ctx = (void **)user;
    const live_interface *li = ctx[0];
    analysis_packet(ctx[1], li->link, capture_time_us(&h->ts), data, h->caplen);
}

/* Opens one interface for capture; false with a line on diag. */
static bool live_open(live_interface *li, capture_filter *filter, FILE *diag)
{
    char errbuf[PCAP_ERRBUF_SIZE] = "";
    li->pcap = pcap_create(li->name, errbuf);
    if (!li->pcap) {
        diag_say(diag, li->name, 0, "cannot capture: %s", errbuf);
        return false;
    }
    /* Timestamps stay in microseconds, libpcap's default before activation. Immediate mode: a verdict as soon
     * as its packets are there. These fail only on a handle already activated, but newer libpcap asks. */
    if (pcap_set_snaplen(li->pcap, LIVE_SNAPLEN) != 0 || pcap_set_timeout(li->pcap, LIVE_POLL_MS) != 0 ||
        pcap_set_immediate_mode(li->pcap, 1) != 0) {
        diag_say(diag, li->name, 0, "cannot capture: %s", pcap_geterr(li->pcap));
        return false;
    }
    int rc = pcap_activate(li->pcap);
    if (rc < 0) {
        const char *why = rc == PCAP_ERROR ? pcap_geterr(li->pcap) : pcap_statustostr(rc);
        if (rc == PCAP_ERROR_PERM_DENIED)
            diag_say(diag, li->name, 0, "cannot capture: %s (capturing needs root, or the capabilities "
                     "cap_net_raw and cap_net_admin on the program)", why);
        else
            diag_say(diag, li->name, 0, "cannot capture: %s", why);
        return false;
    }
    if (rc > 0)
        diag_say(diag, li->name, 0, "warning: %s", pcap_statustostr(rc));
    li->link = pcap_datalink(li->pcap);
    if (!packet_link_supported(li->link)) {
        const char *name = pcap_datalink_val_to_name(li->link);
        diag_say(diag, li->name, 0, "link type %s is not supported; no packet will be analysed", name ? name : "unknown");
    }
    if (filter) {
        const filter_program *fp = program_for(filter, li->link, li->name, diag);
        if (!fp)
            return false;
        if (pcap_setfilter(li->pcap, (struct bpf_program *)&fp->program) != 0) { /* in the kernel */
            diag_say(diag, li->name, 0, "cannot set the filter: %s", pcap_geterr(li->pcap));
            return false;
        }
    }
    if (pcap_setnonblock(li->pcap, 1, errbuf) != 0 || pcap_get_selectable_fd(li->pcap) < 0) {
        diag_say(diag, li->name, 0, "cannot capture: no descriptor to wait on");
        return false;
    }
    diag_say(diag, li->name, 0, "capturing (interrupt to stop and print the summary)");
    return true;
}

capture_result capture_live(char **interfaces, capture_filter *filter, analysis *a, const volatile sig_atomic_t *stop,
                            FILE *diag)
{
    size_t n = 0;
    while (interfaces[n])
        n++;
    if (n > LIVE_MAX_INTERFACES) {
        diag_say(diag, interfaces[LIVE_MAX_INTERFACES], 0, "more than %d interfaces", LIVE_MAX_INTERFACES);
        return CAPTURE_UNREADABLE;
    }
    live_interface li[LIVE_MAX_INTERFACES] = {{0}};
    struct pollfd fds[LIVE_MAX_INTERFACES];
    bool opened = true;
    for (size_t i = 0; i < n; i++) {
        li[i].name = interfaces[i];
        opened = live_open(&li[i], filter, diag) && opened;
        fds[i] = (struct pollfd){.fd = li[i].pcap ? pcap_get_selectable_fd(li[i].pcap) : -1, .events = POLLIN};
    }
    capture_result result = opened ? CAPTURE_OK : CAPTURE_UNREADABLE;
    while (opened && !*stop) {
        if (poll(fds, n, LIVE_POLL_MS) < 0 && errno != EINTR) {
            diag_say(diag, li[0].name, 0, "cannot wait for packets: %s", strerror(errno));
            result = CAPTURE_TRUNCATED;
            break;
        }
        for (size_t i = 0; i < n && !*stop; i++) {
            void *ctx[2] = {&li[i], a};
            if (pcap_dispatch(li[i].pcap, -1, live_packet, (u_char *)ctx) == PCAP_ERROR) {
                diag_say(diag, li[i].name, 0, "capture stopped: %s", pcap_geterr(li[i].pcap));
                result = CAPTURE_TRUNCATED;
                opened = false;
            }
        }
    }
    for (size_t i = 0; i < n; i++) {
        struct pcap_stat st;
        if (li[i].pcap && opened && pcap_stats(li[i].pcap, &st) == 0 && (st.ps_drop || st.ps_ifdrop))
            diag_say(diag, li[i].name, 0, "warning: %u packets dropped by the kernel, %u by the interface; "
                     "their connections may be incomplete", st.ps_drop, st.ps_ifdrop);
        if (li[i].pcap)
            pcap_close(li[i].pcap);
    }
    return result;
}

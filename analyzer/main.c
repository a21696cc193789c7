/*
 * main.c - credssp-analyze: command line, inputs, exit status.
 *
 * Exit status: 0 no connection refused for a CredSSP version mismatch;
 * 1 at least one connection with verdict version_mismatch or
 * rejected_unpatched_client; 2 usage error, or an input (capture, key log, RSA
 * key) that could not be read - the other inputs are still analysed, and 2
 * wins over 1 - or a write error on standard output.
 */
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <locale.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "analysis.h"
#include "capture.h"
#include "cssp/inert.h"
#include "cssp-i18n.h"
#include "diag.h"
#include "report.h"
#include "keylog.h"
#include "tls_glue.h"

#ifndef CSSP_VERSION
#define CSSP_VERSION "unknown"
#endif

enum { EXIT_CLEAN = 0, EXIT_REFUSED = 1, EXIT_TROUBLE = 2 };

/*
 * The end of standard output: what was written must have reached it. A full disk, a closed descriptor or a
 * broken pipe (SIGPIPE ignored) is one line on stderr and exit status 2, as coreutils do, never a silent
 * success. `error` is the errno of an earlier failed write (0: none seen).
 */
static int finish_stdout(int status, int error)
{
    if (fflush(stdout) != 0 && !error)
        error = errno;
    if (ferror(stdout) && !error)
        error = EIO;
    if (fclose(stdout) != 0 && !error)
        error = errno;
    if (!error)
        return status;
    fprintf(stderr, _("credssp-analyze: write error on standard output: %s\n"), strerror(error));
    return EXIT_TROUBLE;
}

static volatile sig_atomic_t stop_requested;

static void ask_to_stop(int sig)
{
    (void)sig;
    stop_requested = 1;
}

/* A file by its device and inode: the same capture given twice, under two names or as "-", is read once. */
typedef struct file_id {
    dev_t dev;
    ino_t ino;
} file_id;

/* True if `path` is a file already in `ids`; else adds it. A name that cannot be examined is never a repeat. */
static bool given_before(GArray *ids, const char *path)
{
    struct stat st;
    if ((strcmp(path, "-") == 0 ? fstat(STDIN_FILENO, &st) : stat(path, &st)) != 0)
        return false;
    for (guint i = 0; i < ids->len; i++) {
        const file_id *id = &g_array_index(ids, file_id, i);
        if (id->dev == st.st_dev && id->ino == st.st_ino)
            return true;
    }
    file_id id = {st.st_dev, st.st_ino};
    g_array_append_val(ids, id);
    return false;
}

int main(int argc, char **argv)
{
    /* freed on every return, early ones included */
    g_auto(GStrv) keylogs = NULL, rsa_keys = NULL, captures = NULL, interfaces = NULL;
    g_autofree gchar *filter = NULL;
    gboolean json = FALSE, version = FALSE, no_progress = FALSE, help = FALSE;
    GOptionEntry entries[] = {
        {"keylog", 'k', 0, G_OPTION_ARG_FILENAME_ARRAY, &keylogs,
         N_("NSS key log (SSLKEYLOGFILE format); repeatable"), N_("FILE")},
        {"rsa-key", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &rsa_keys,
         N_("server RSA private key (PEM) for static RSA key exchange; repeatable"), N_("FILE")},
        {"json", 'j', 0, G_OPTION_ARG_NONE, &json, N_("JSON Lines: one object per RDP connection"), NULL},
        {"filter", 'f', 0, G_OPTION_ARG_STRING, &filter, N_("BPF filter applied to every capture"), N_("EXPR")},
        {"interface", 'i', 0, G_OPTION_ARG_STRING_ARRAY, &interfaces,
         N_("capture live on this interface until interrupted; repeatable"), N_("IFACE")},
        {"no-progress", 0, 0, G_OPTION_ARG_NONE, &no_progress, N_("no progress indicator on a terminal"), NULL},
        {"version", 'V', 0, G_OPTION_ARG_NONE, &version, N_("print the version and exit"), NULL},
        /* GOption's own --help would exit without checking that the text reached stdout */
        {"help", 'h', 0, G_OPTION_ARG_NONE, &help, N_("show the options"), NULL},
        /* the file names, "--" taken away (a file may start with '-'); "-" is standard input */
        {G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &captures, NULL, NULL},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    cssp_i18n_init_program();
    GOptionContext *ctx = g_option_context_new(N_("[CAPTURE...] - CredSSP version negotiation in RDP captures"));
    g_option_context_set_translation_domain(ctx, GETTEXT_PACKAGE);
    g_option_context_set_summary(ctx,
        N_("Reports per RDP connection the security negotiation, the TLS session, the CredSSP version of each\n"
        "side and a verdict; flags the CredSSP version mismatch behind \"An authentication error has occurred.\n"
        "The function requested is not supported\" (CVE-2018-0886 encryption oracle remediation)."));
    g_option_context_set_description(ctx,
        N_("Exit status: 0 no refused connection; 1 a version_mismatch or rejected_unpatched_client;\n"
        "2 usage error, an unreadable input (the other inputs are still analysed) or a write error.\n"
        "CAPTURE \"-\" is standard input. pcapng Decryption Secrets Blocks are used without any option.\n"
        "See credssp-analyze(1)."));
    g_option_context_add_main_entries(ctx, entries, GETTEXT_PACKAGE);
    g_option_context_set_help_enabled(ctx, FALSE);
    GError *err = NULL;
    if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
        char *shown = cssp_inert_dup(err->message); /* it may quote an argument */
        fprintf(stderr, _("credssp-analyze: %s (try --help)\n"), shown);
        g_free(shown);
        g_error_free(err);
        g_option_context_free(ctx);
        return EXIT_TROUBLE;
    }
    if (help) {
        char *text = g_option_context_get_help(ctx, TRUE, NULL);
        fputs(text, stdout);
        g_free(text);
    }
    g_option_context_free(ctx);
    if (fcntl(STDOUT_FILENO, F_GETFD) == -1) /* closed: an input opened now would take its place */
        return finish_stdout(EXIT_TROUBLE, EBADF);
    if (help || version) {
        if (version)
            printf("credssp-analyze %s\n", CSSP_VERSION);
        return finish_stdout(EXIT_CLEAN, 0);
    }
    if ((!captures || !captures[0]) && !interfaces) {
        fprintf(stderr, _("credssp-analyze: no capture file or interface given (try --help)\n"));
        return EXIT_TROUBLE;
    }

    capture_filter *bpf = NULL;
    if (filter) {
        char *problem = NULL;
        bpf = capture_filter_new(filter, &problem);
        if (!bpf) { /* a usage error, said once rather than once per capture */
            char *shown_filter = cssp_inert_dup(filter), *shown_problem = cssp_inert_dup(problem);
            fprintf(stderr, _("credssp-analyze: bad filter \"%s\": %s (try --help)\n"), shown_filter, shown_problem);
            g_free(shown_filter);
            g_free(shown_problem);
            g_free(problem);
                    return finish_stdout(EXIT_TROUBLE, 0);
        }
    }

    int status = EXIT_CLEAN;
    secrets *keys = secrets_new();
    for (gchar **k = keylogs; k && *k; k++)
        if (!secrets_load_keylog(keys, *k, stderr))
            status = EXIT_TROUBLE;
    for (gchar **k = rsa_keys; k && *k; k++)
        if (!secrets_load_rsa(keys, *k, stderr))
            status = EXIT_TROUBLE;

    report *out = report_new(stdout, json);
    analysis *a = analysis_new(keys, out);
    bool progress = !no_progress && isatty(STDERR_FILENO);
    GArray *read_ids = g_array_new(FALSE, FALSE, sizeof(file_id));
    for (gchar **c = captures; c && *c; c++) {
        if (given_before(read_ids, *c)) {
            diag_say(stderr, *c, 0, _("warning: given more than once; read only the first time"));
            continue;
        }
        capture_result r = capture_read(*c, bpf, keys, a, progress, stderr);
        if (r == CAPTURE_UNREADABLE || r == CAPTURE_BAD_FILTER)
            status = EXIT_TROUBLE;
    }
    g_array_free(read_ids, TRUE);
    if (interfaces) {
        report_flush_each(out);
        struct sigaction on_stop = {.sa_handler = ask_to_stop}; /* no SA_RESTART: poll() returns at once */
        sigemptyset(&on_stop.sa_mask);
        sigaction(SIGINT, &on_stop, NULL);
        sigaction(SIGTERM, &on_stop, NULL);
        if (capture_live(interfaces, bpf, a, &stop_requested, stderr) == CAPTURE_UNREADABLE)
            status = EXIT_TROUBLE;
    }
    analysis_finish(a);
    analysis_stats st = analysis_get_stats(a);
    if (st.evicted)
        fprintf(stderr, _("credssp-analyze: warning: the connection budget (%u connections, %u MiB of their state) "
                "was reached; %llu RDP connections were judged before their end (their note says so)\n"),
                ANALYSIS_MAX_CONNS, ANALYSIS_STATE_BUDGET >> 20, (unsigned long long)st.evicted);
    if (secrets_over_budget(keys))
        fprintf(stderr, _("credssp-analyze: warning: %zu secrets of the key logs were not kept (past their %u MiB "
                "memory budget, %u MiB for those the captures carry); the sessions they were for are not "
                "decrypted\n"), secrets_over_budget(keys), (unsigned)TLS_KEYLOG_MAX_MIB,
                (unsigned)TLS_KEYLOG_MAX_EMBEDDED_MIB);
    if (st.budget_conns)
        fprintf(stderr, _("credssp-analyze: warning: the %u MiB budget for out-of-order TCP data across connections was "
                "reached; %llu connections lost theirs (their note says so)\n"), ANALYSIS_REASSEMBLY_BUDGET >> 20,
                (unsigned long long)st.budget_conns);
    if (status == EXIT_CLEAN && report_refused_count(out) > 0)
        status = EXIT_REFUSED;
    int write_error = report_finish(out);
    analysis_free(a);
    secrets_free(keys);
    capture_filter_free(bpf);
    return finish_stdout(status, write_error);
}

/*
 * main.c - credssp-probe: asks RDP servers for their CredSSP version, without credentials.
 *
 * Targets are probed in parallel (at most --jobs at a time) and reported in the order given.
 * Exit status: 0 no server unpatched; 1 at least one server offers CredSSP 2-4; 2 usage error, an
 * unreadable target file, or a target that could not be probed (the others are still probed; 2 wins
 * over 1).
 */
#include <glib.h>
#include <locale.h>
#include <openssl/crypto.h>
#include <signal.h>
#include <stdio.h>

#include "cssp-i18n.h"
#include "exchange.h"
#include "output.h"
#include "target.h"
#include "tls_client.h"

#ifndef CSSP_VERSION
#define CSSP_VERSION "unknown"
#endif

enum { EXIT_CLEAN = 0, EXIT_UNPATCHED = 1, EXIT_TROUBLE = 2 };
#define MAX_JOBS 256
#define AHEAD_PER_JOB 16 /* targets started past the first one not yet printed, per job: bounds the memory */

/*
 * The results in target order; a finished run of them is printed as soon as it is complete. A result
 * (about 3 KB) lives from the start of its probe to its printing, and no target starts more than
 * jobs * AHEAD_PER_JOB places after the first one not yet printed, so a long target list costs no more
 * memory than a short one.
 */
typedef struct run {
    probe_settings settings;
    probe_result **results;
    gboolean *done;
    guint count, next_to_print;
    GMutex lock;
    GCond printed;
    probe_output *out;
    bool unpatched, trouble;
} run;

static void print_ready(run *r)
{
    while (r->next_to_print < r->count && r->done[r->next_to_print]) {
        probe_result *res = r->results[r->next_to_print];
        r->results[r->next_to_print++] = NULL;
        output_result(r->out, res);
        if (res->error != PROBE_OK)
            r->trouble = true;
        else if (res->judgement.state == CSSP_SERVER_UNPATCHED)
            r->unpatched = true;
        probe_result_free(res);
        g_free(res);
        g_cond_signal(&r->printed);
    }
}

static void probe_one(gpointer index_plus_one, gpointer user_data)
{
    run *r = user_data;
    guint i = GPOINTER_TO_UINT(index_plus_one) - 1;
    exchange_run(&r->settings, r->results[i]);
    /* GLib keeps idle pool threads alive past main(): free this thread's OpenSSL state (its DRBG) now */
    OPENSSL_thread_stop();
    g_mutex_lock(&r->lock);
    r->done[i] = TRUE;
    print_ready(r);
    g_mutex_unlock(&r->lock);
}

static bool seconds_option(double value, const char *name, gint64 *out_us)
{
    if (!(value > 0 && value <= 3600)) {
        fprintf(stderr, _("credssp-probe: --%s must be between 0 and 3600 seconds (try --help)\n"), name);
        return false;
    }
    *out_us = (gint64)(value * G_USEC_PER_SEC);
    return true;
}

int main(int argc, char **argv)
{
    gchar **files = NULL;
    gboolean json = FALSE, version = FALSE;
    double connect_timeout = 5, timeout = 15;
    gint jobs = 16;
    GOptionEntry entries[] = {
        {"file", 'f', 0, G_OPTION_ARG_FILENAME_ARRAY, &files,
         N_("read targets from FILE, one per line ('-' for standard input); repeatable"), N_("FILE")},
        {"json", 'j', 0, G_OPTION_ARG_NONE, &json, N_("JSON Lines: one object per target"), NULL},
        {"connect-timeout", 0, 0, G_OPTION_ARG_DOUBLE, &connect_timeout,
         N_("seconds to wait for the TCP connection (default 5)"), N_("SECONDS")},
        {"timeout", 't', 0, G_OPTION_ARG_DOUBLE, &timeout,
         N_("seconds for the whole exchange with one target, connection included (default 15)"), N_("SECONDS")},
        {"jobs", 'J', 0, G_OPTION_ARG_INT, &jobs, N_("targets probed at the same time (default 16, at most 256)"), N_("N")},
        {"version", 'V', 0, G_OPTION_ARG_NONE, &version, N_("print the version and exit"), NULL},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    cssp_i18n_init_program();
    GOptionContext *ctx = g_option_context_new(N_("HOST[:PORT]... - ask RDP servers for their CredSSP version"));
    g_option_context_set_translation_domain(ctx, GETTEXT_PACKAGE);
    g_option_context_set_summary(ctx,
        N_("Connects to each RDP server, negotiates TLS and sends one CredSSP TSRequest (version 6, an NTLM\n"
        "NEGOTIATE) - never credentials. The server's reply states its own CredSSP version: 2-4 is unpatched\n"
        "for CVE-2018-0886 (patched clients refuse it: \"The function requested is not supported\")."));
    g_option_context_set_description(ctx,
        N_("Targets: HOST, HOST:PORT, [IPv6]:PORT or a bare IPv6 address; port 3389 by default.\n"
        "Exit status: 0 no server unpatched; 1 a server offers CredSSP 2-4; 2 usage error, unreadable\n"
        "target file or a target that could not be probed (the others are still probed). See credssp-probe(1)."));
    g_option_context_add_main_entries(ctx, entries, GETTEXT_PACKAGE);
    GError *err = NULL;
    if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
        fprintf(stderr, _("credssp-probe: %s (try --help)\n"), err->message);
        g_error_free(err);
        g_option_context_free(ctx);
        return EXIT_TROUBLE;
    }
    g_option_context_free(ctx);
    if (version) {
        printf("credssp-probe %s\n", CSSP_VERSION);
        return EXIT_CLEAN;
    }
    run r = {0};
    if (!seconds_option(connect_timeout, "connect-timeout", &r.settings.connect_timeout_us) ||
        !seconds_option(timeout, "timeout", &r.settings.timeout_us))
        return EXIT_TROUBLE;
    if (jobs < 1 || jobs > MAX_JOBS) {
        fprintf(stderr, _("credssp-probe: --jobs must be between 1 and %d (try --help)\n"), MAX_JOBS);
        return EXIT_TROUBLE;
    }

    bool trouble = false;
    GPtrArray *targets = g_ptr_array_new_with_free_func(g_free);
    for (int i = 1; i < argc; i++)
        g_ptr_array_add(targets, g_strdup(argv[i]));
    for (gchar **f = files; f && *f; f++)
        if (!target_read_file(*f, targets, stderr))
            trouble = true;
    g_strfreev(files);
    if (targets->len == 0) {
        if (!trouble)
            fprintf(stderr, _("credssp-probe: no target given (try --help)\n"));
        g_ptr_array_free(targets, TRUE);
        return EXIT_TROUBLE;
    }

    signal(SIGPIPE, SIG_IGN); /* a server closing under a TLS write is an error of that target, not of the run */
    r.settings.tls = tls_client_context(stderr);
    if (!r.settings.tls) {
        g_ptr_array_free(targets, TRUE);
        return EXIT_TROUBLE;
    }
    r.count = targets->len;
    r.results = g_new0(probe_result *, r.count);
    r.done = g_new0(gboolean, r.count);
    r.out = output_new(stdout, json);
    g_mutex_init(&r.lock);
    g_cond_init(&r.printed);

    GThreadPool *pool = g_thread_pool_new(probe_one, &r, MIN(jobs, (gint)r.count), FALSE, NULL);
    guint ahead = (guint)jobs * AHEAD_PER_JOB;
    for (guint i = 0; i < r.count; i++) {
        g_mutex_lock(&r.lock);
        while (i >= r.next_to_print + ahead)
            g_cond_wait(&r.printed, &r.lock);
        g_mutex_unlock(&r.lock);
        r.results[i] = g_new0(probe_result, 1);
        r.results[i]->target = g_strdup(g_ptr_array_index(targets, i));
        g_thread_pool_push(pool, GUINT_TO_POINTER(i + 1), NULL);
    }
    g_thread_pool_free(pool, FALSE, TRUE);
    g_ptr_array_free(targets, TRUE);

    output_finish(r.out);
    g_cond_clear(&r.printed);
    g_mutex_clear(&r.lock);
    g_free(r.results);
    g_free(r.done);
    SSL_CTX_free(r.settings.tls);
    if (trouble || r.trouble)
        return EXIT_TROUBLE;
    return r.unpatched ? EXIT_UNPATCHED : EXIT_CLEAN;
}

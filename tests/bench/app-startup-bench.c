/* app-startup-bench.c: how long consent-wallet takes from process start to
 * its first painted frame (issue 5, "Startup benchmark"), against a bare
 * GtkWindow started and measured the same way in the same run. Not a test:
 * it asserts nothing about timing. Figures go to docs/PERFORMANCE.md,
 * "App startup".
 *
 * Both programs print "first-frame-ms <ms>" once their window's frame clock
 * has run its first "after-paint", counting from the process start time in
 * /proc/self/stat, then quit. The app does so when CW_EXIT_AFTER_FIRST_FRAME
 * is set; the baseline is this program run with --baseline. Run under Xvfb
 * with GSK_RENDERER=cairo (tools/run-tests's environment).
 *
 * Every program runs twice per round: with GDK_DEBUG=gl-disable and
 * without. GDK probes OpenGL when it opens an X display even when GSK draws
 * with cairo; under Xvfb that loads and starts Mesa's software rasterizer,
 * which costs a large share of a start here and which a user's desktop
 * replaces with its own driver. Both figures are reported. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <adwaita.h>
#include <glib/gstdio.h>
#include <sodium.h>

#include "cw-encoding.h"
#include "cw-wallet-store.h"

static int n_runs = 11;
static int n_grants = 200;
static gboolean baseline_mode;
static gboolean adw_baseline_mode;

/* When this process started, in g_get_real_time() microseconds. */
static gint64
process_start_usec (void)
{
  g_autofree char *stat = NULL;
  g_autofree char *uptime = NULL;
  g_auto(GStrv) fields = NULL;
  const char *after;
  double start_s;

  if (!g_file_get_contents ("/proc/self/stat", &stat, NULL, NULL) ||
      !g_file_get_contents ("/proc/uptime", &uptime, NULL, NULL) ||
      (after = strrchr (stat, ')')) == NULL)
    return -1;
  /* starttime is field 22; fields[0] here is field 3. */
  fields = g_strsplit (after + 2, " ", -1);
  if (g_strv_length (fields) < 20)
    return -1;
  start_s = g_ascii_strtod (fields[19], NULL) / sysconf (_SC_CLK_TCK);
  return g_get_real_time () - (gint64) ((g_ascii_strtod (uptime, NULL) - start_s) * G_USEC_PER_SEC);
}

static void
baseline_painted_cb (GdkFrameClock *clock,
                     GMainLoop     *loop)
{
  g_signal_handlers_disconnect_by_func (clock, baseline_painted_cb, loop);
  g_print ("first-frame-ms %.1f\n", (g_get_real_time () - process_start_usec ()) / 1000.0);
  g_main_loop_quit (loop);
}

static void
baseline_realized_cb (GtkWidget *window,
                      GMainLoop *loop)
{
  g_signal_connect (gtk_widget_get_frame_clock (window), "after-paint",
                    G_CALLBACK (baseline_painted_cb), loop);
}

/* The smallest GTK program with a window: what any GTK app pays; with
 * @adw, the same with libadwaita's style and an AdwWindow with a header
 * bar: what any libadwaita app pays. */
static int
run_baseline (gboolean adw)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  GtkWidget *window;

  gtk_init ();
  if (adw)
    {
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);

      adw_init ();
      window = adw_window_new ();
      gtk_box_append (GTK_BOX (box), adw_header_bar_new ());
      gtk_box_append (GTK_BOX (box), gtk_label_new ("Baseline"));
      adw_window_set_content (ADW_WINDOW (window), box);
      gtk_window_set_default_size (GTK_WINDOW (window), 1000, 720);
      g_signal_connect (window, "realize", G_CALLBACK (baseline_realized_cb), loop);
      gtk_window_present (GTK_WINDOW (window));
      g_main_loop_run (loop);
      gtk_window_destroy (GTK_WINDOW (window));
      return 0;
    }
  window = gtk_window_new ();
  gtk_window_set_title (GTK_WINDOW (window), "Baseline");
  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 720);
  gtk_window_set_child (GTK_WINDOW (window), gtk_label_new ("Baseline"));
  g_signal_connect (window, "realize", G_CALLBACK (baseline_realized_cb), loop);
  gtk_window_present (GTK_WINDOW (window));
  g_main_loop_run (loop);
  gtk_window_destroy (GTK_WINDOW (window));
  return 0;
}

/* A wallet like a patient's after a while: an identity, a few providers,
 * @n_grants grants, as many access events, a pending request. */
static void
seed_wallet (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CwWalletStore) store = cw_wallet_store_new (path, &error);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  guint8 key[32];
  g_autofree char *patient = NULL;
  CwStoreIdentity identity = { 0 };

  if (store == NULL)
    g_error ("seed: %s", error->message);
  randombytes_buf (key, sizeof key);
  patient = cw_base64_encode (key, sizeof key);
  identity = (CwStoreIdentity) { patient, patient, patient, (char *) "clinic", now };
  cw_wallet_store_batch_begin (store, NULL);
  cw_wallet_store_set_identity (store, &identity, NULL);
  for (int i = 0; i < 10; i++)
    {
      g_autofree char *id = g_strdup_printf ("provider-%d", i);
      g_autofree char *name = g_strdup_printf ("Provider %d", i);
      CwStoreProvider provider = { id, name, (char *) "Health Org", (char *) "practice", patient, now };

      cw_wallet_store_upsert_provider (store, &provider, NULL);
    }
  for (int i = 0; i < n_grants; i++)
    {
      g_autofree char *id = NULL;
      g_autofree char *event = NULL;
      g_autofree char *provider = g_strdup_printf ("provider-%d", i % 10);

      randombytes_buf (key, sizeof key);
      id = cw_base64_encode (key, sizeof key);
      randombytes_buf (key, sizeof key);
      event = cw_base64_encode (key, sizeof key);
      {
        CwStoreGrant grant = { id, provider, CW_SCOPE_MEDICATIONS, CW_PURPOSE_TREAT,
                               CW_ACCESS_VIEW, NULL, NULL, now - i, now + 86400 * (1 + i),
                               NULL, i, NULL, (char *) "{}" };
        CwStoreAccessEvent access = { event, provider, id, CW_SCOPE_MEDICATIONS, CW_PURPOSE_TREAT,
                                      now - i, TRUE, n_grants + i, (char *) "{}",
                                      (char *) "receipt" };

        cw_wallet_store_upsert_grant (store, &grant, NULL);
        cw_wallet_store_upsert_access_event (store, &access, NULL);
      }
    }
  {
    CwStoreRequest request = { (char *) "request-1", (char *) "provider-1", CW_SCOPE_LAB_RESULTS,
                               CW_PURPOSE_TREAT, CW_ACCESS_VIEW, now, now + 86400, (char *) "Check-up",
                               CW_STORE_REQUEST_PENDING, NULL, (char *) "{}" };

    cw_wallet_store_upsert_request (store, &request, NULL);
  }
  if (!cw_wallet_store_batch_commit (store, &error))
    g_error ("seed: %s", error->message);
  cw_wallet_store_close (store);
}

/* Runs @argv once; returns its first-frame time in ms, or < 0, and in
 * @out_content the time of the first frame with content when it printed
 * one (the app does), else -1. */
static double
run_once (const char * const *argv,
          const char * const *envp,
          double              *out_content)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  const char *line;
  int status;

  *out_content = -1;
  if (!g_spawn_sync (NULL, (char **) argv, (char **) envp, G_SPAWN_DEFAULT, NULL, NULL, &out, &err,
                     &status, &error))
    {
      g_printerr ("%s: %s\n", argv[0], error->message);
      return -1;
    }
  if ((line = strstr (out, "content-frame-ms ")) != NULL)
    *out_content = g_ascii_strtod (line + strlen ("content-frame-ms "), NULL);
  if ((line = strstr (out, "first-frame-ms ")) == NULL)
    {
      g_printerr ("%s printed no time (status %d): %s%s\n", argv[0], status, out, err);
      return -1;
    }
  return g_ascii_strtod (line + strlen ("first-frame-ms "), NULL);
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static double
median (GArray *values)
{
  g_array_sort (values, compare_doubles);
  return g_array_index (values, double, values->len / 2);
}

/* One program in one environment, and its times. */
typedef struct {
  const char *label;
  const char *const *argv;
  char **envp;
  GArray *times;
  GArray *content;   /* the app's first frame with its grants */
} Program;

static void
print_row (const char *label,
           GArray     *times)
{
  double m = median (times);

  g_print ("| %s | %.0f | %.0f | %.0f |\n", label, m, g_array_index (times, double, 0),
           g_array_index (times, double, times->len - 1));
}

static double
load_average (void)
{
  g_autofree char *text = NULL;

  if (!g_file_get_contents ("/proc/loadavg", &text, NULL, NULL))
    return -1;
  return g_ascii_strtod (text, NULL);
}

int
main (int   argc,
      char *argv[])
{
  const GOptionEntry entries[] = {
    { "runs", 'r', 0, G_OPTION_ARG_INT, &n_runs, "Runs of each program (default 11)", "N" },
    { "grants", 'g', 0, G_OPTION_ARG_INT, &n_grants, "Grants in the wallet (default 200)", "N" },
    { "baseline", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_NONE, &baseline_mode, NULL, NULL },
    { "baseline-adw", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_NONE, &adw_baseline_mode, NULL, NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("- consent-wallet startup time");
  g_autoptr(GError) error = NULL;
  g_autofree char *self = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *store = NULL;
  g_auto(GStrv) envp = NULL;
  g_auto(GStrv) envp_no_gl = NULL;
  const char *app_argv[] = { CW_APP_BINARY, "--data-dir", NULL, NULL };
  const char *bare_argv[] = { NULL, "--baseline", NULL };
  const char *adw_argv[] = { NULL, "--baseline-adw", NULL };
  Program programs[6];
  double load_start, load_end;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (baseline_mode || adw_baseline_mode)
    return run_baseline (adw_baseline_mode);
  if (sodium_init () < 0 || n_runs < 1)
    return 2;

  self = g_file_read_link ("/proc/self/exe", NULL);
  dir = g_dir_make_tmp ("cw-startup-XXXXXX", &error);
  g_assert_no_error (error);
  store = g_build_filename (dir, "wallet.db", NULL);
  seed_wallet (store);
  app_argv[2] = dir;
  bare_argv[0] = self;
  adw_argv[0] = self;

  envp = g_get_environ ();
  envp = g_environ_setenv (envp, "CW_EXIT_AFTER_FIRST_FRAME", "1", TRUE);
  envp = g_environ_setenv (envp, "GSK_RENDERER", "cairo", FALSE);
  envp = g_environ_setenv (envp, "GSETTINGS_SCHEMA_DIR", CW_SCHEMA_DIR, FALSE);
  envp = g_environ_setenv (envp, "GSETTINGS_BACKEND", "memory", FALSE);
  envp_no_gl = g_environ_setenv (g_strdupv (envp), "GDK_DEBUG", "gl-disable", TRUE);

  programs[0] = (Program) { "consent-wallet", app_argv, envp_no_gl };
  programs[1] = (Program) { "bare GtkWindow", bare_argv, envp_no_gl };
  programs[2] = (Program) { "bare AdwWindow", adw_argv, envp_no_gl };
  programs[3] = (Program) { "consent-wallet, GL probed", app_argv, envp };
  programs[4] = (Program) { "bare GtkWindow, GL probed", bare_argv, envp };
  programs[5] = (Program) { "bare AdwWindow, GL probed", adw_argv, envp };
  for (guint p = 0; p < G_N_ELEMENTS (programs); p++)
    {
      programs[p].times = g_array_new (FALSE, FALSE, sizeof (double));
      programs[p].content = g_array_new (FALSE, FALSE, sizeof (double));
    }

  /* Alternate them so that machine load hits all alike; one warm-up round
   * first (page cache; fontconfig reads the system's caches, which are
   * warm on any installed system). */
  load_start = load_average ();
  for (int i = -1; i < n_runs; i++)
    {
      for (guint p = 0; p < G_N_ELEMENTS (programs); p++)
        {
          double content;
          double t = run_once (programs[p].argv, (const char * const *) programs[p].envp, &content);

          if (t < 0)
            return 1;
          if (i < 0)
            continue;
          g_array_append_val (programs[p].times, t);
          if (content >= 0)
            g_array_append_val (programs[p].content, content);
          g_printerr ("run %d: %s %.1f ms", i + 1, programs[p].label, t);
          if (content >= 0)
            g_printerr (" (grants shown at %.1f ms)", content);
          g_printerr ("\n");
        }
    }
  load_end = load_average ();

  g_print ("| program | median first frame (ms) | min | max |\n");
  g_print ("|---|---|---|---|\n");
  for (guint p = 0; p < G_N_ELEMENTS (programs); p++)
    {
      g_autofree char *label = NULL;

      print_row (programs[p].label, programs[p].times);
      if (programs[p].content->len > 0)
        {
          label = g_strdup_printf ("%s: first frame with its %d grants", programs[p].label,
                                   n_grants);
          print_row (label, programs[p].content);
        }
    }
  g_print ("\nratio app / GtkWindow: %.2f without the GL probe, %.2f with it; "
           "app / AdwWindow: %.2f and %.2f\n",
           median (programs[0].times) / median (programs[1].times),
           median (programs[3].times) / median (programs[4].times),
           median (programs[0].times) / median (programs[2].times),
           median (programs[3].times) / median (programs[5].times));
  g_print ("%d runs each after one warm-up round; load average %.2f at the start, %.2f at the "
           "end\n", n_runs, load_start, load_end);
  for (guint p = 0; p < G_N_ELEMENTS (programs); p++)
    {
      g_array_unref (programs[p].times);
      g_array_unref (programs[p].content);
    }

  {
    g_autofree char *wal = g_strconcat (store, "-wal", NULL);
    g_autofree char *shm = g_strconcat (store, "-shm", NULL);

    g_unlink (store);
    g_unlink (wal);
    g_unlink (shm);
    g_rmdir (dir);
  }
  return 0;
}

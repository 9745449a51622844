/* wallet-sync-bench.c: the wallet engine's benchmark (issue 4,
 * "Benchmark"). A real consent-node gets one patient with many grants
 * (submitted in chain order) and many provider access events (submitted
 * concurrently); then, per run, a new wallet restores the identity (the
 * chain, verified) and a full sync with full verification is timed from
 * that empty state, then the load of the list models. Prints a table with
 * the medians and a same-run baseline (raw libsodium Ed25519 verifications
 * per second). Not a test: no timing is asserted. With --perf DIR, perf
 * records this process (the engine runs in it) during each timed sync
 * only. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <poll.h>
#include <signal.h>
#include <sodium.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cw-encoding.h"
#include "cw-tls-pin.h"
#include "engine-test-util.h"

static guint n_grants = 10000;
static guint n_access = 10000;
static guint n_runs = 5;
static guint n_serving = 1;
static char *perf_dir = NULL;

static gint64
now_us (void)
{
  return g_get_monotonic_time ();
}

/* CPU time (user + system) of this process, in ms. */
static double
self_cpu_ms (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1e3 +
         (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e3;
}

/* Minor page faults of this process so far: first touches of fresh
 * memory, which cost a trap each (expensive on this VM). Unlike times,
 * they hardly vary from run to run. */
static long
self_minor_faults (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_minflt;
}

/* CPU time of the node process, in ms, from /proc. */
static double
node_cpu_ms (TxNode *node)
{
  const char *pid = g_subprocess_get_identifier (node->server->process);
  g_autofree char *path = g_strdup_printf ("/proc/%s/stat", pid);
  g_autofree char *text = NULL;
  g_auto(GStrv) fields = NULL;
  const char *after_name;

  if (pid == NULL || !g_file_get_contents (path, &text, NULL, NULL) ||
      (after_name = strrchr (text, ')')) == NULL)
    return 0;
  /* Fields after the name: state is the first, utime the 12th, stime the 13th. */
  fields = g_strsplit (after_name + 2, " ", 0);
  if (g_strv_length (fields) < 13)
    return 0;
  return (g_ascii_strtod (fields[11], NULL) + g_ascii_strtod (fields[12], NULL)) * 1e3 /
         sysconf (_SC_CLK_TCK);
}

typedef struct {
  guint in_flight;
  guint done;
  guint failed;
  gint64 last_progress;
} Posting;

/* Loopback only, to the node this process started. */
static gboolean
accept_cb (SoupMessage          *msg,
           GTlsCertificate      *cert,
           GTlsCertificateFlags  errors,
           gpointer              data)
{
  return TRUE;
}

static void
posted_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Posting *posting = user_data;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, NULL);
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);

  if (body == NULL || soup_message_get_status (msg) != 200)
    {
      g_printerr ("# POST /v1/tx: %u %.*s\n", soup_message_get_status (msg),
                  body != NULL ? (int) MIN (g_bytes_get_size (body), 300) : 0,
                  body != NULL ? (const char *) g_bytes_get_data (body, NULL) : "");
      posting->failed++;
    }
  posting->in_flight--;
  posting->done++;
  posting->last_progress = now_us ();
}

static gboolean
tick_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

/* Posts @envelopes concurrently, at most @window at a time; with a
 * window of 1, one after the other in order (a patient's chain). POST
 * /v1/tx is idempotent, which lets libsoup keep the connections alive
 * instead of a TLS handshake per submission. */
static void
post_all (TxNode    *node,
          GPtrArray *envelopes,
          guint      window)
{
  g_autofree char *url = g_strconcat (node->server->url, "/v1/tx", NULL);
  Posting posting = { 0, 0, 0, now_us () };
  guint next = 0;
  gint64 reported = 0;
  guint tick = g_timeout_add_seconds (1, tick_cb, NULL);

  while (posting.done < envelopes->len)
    {
      /* A stall shows who is waiting, instead of a silent hang. */
      if (now_us () - posting.last_progress > 10 * G_USEC_PER_SEC &&
          now_us () - reported > 10 * G_USEC_PER_SEC)
        {
          g_printerr ("# no answer for 10 s: %u of %u done, %u in flight\n", posting.done,
                      envelopes->len, posting.in_flight);
          reported = now_us ();
        }
      while (posting.in_flight < window && next < envelopes->len)
        {
          g_autoptr(SoupMessage) msg = soup_message_new ("POST", url);

          g_signal_connect (msg, "accept-certificate", G_CALLBACK (accept_cb), NULL);
          soup_message_add_flags (msg, SOUP_MESSAGE_IDEMPOTENT);
          soup_message_set_request_body_from_bytes (msg, "application/json",
                                                    g_ptr_array_index (envelopes, next++));
          posting.in_flight++;
          soup_session_send_and_read_async (node->session, msg, G_PRIORITY_DEFAULT, NULL,
                                            posted_cb, &posting);
        }
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (tick);
  g_assert_cmpuint (posting.failed, ==, 0);
}

static void
done_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static void
wait_n_items (GListModel *model,
              guint       n)
{
  while (g_list_model_get_n_items (model) < n)
    g_main_context_iteration (NULL, TRUE);
}

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
median (GArray *values)
{
  g_array_sort (values, compare_double);
  return g_array_index (values, double, values->len / 2);
}

/* The first three fields of /proc/loadavg, for the run conditions. */
static const char *
load_average (void)
{
  static char text[64];
  g_autofree char *contents = NULL;
  g_auto(GStrv) fields = NULL;

  text[0] = '\0';
  if (g_file_get_contents ("/proc/loadavg", &contents, NULL, NULL) &&
      g_strv_length (fields = g_strsplit (contents, " ", 4)) >= 3)
    g_snprintf (text, sizeof text, "%s %s %s", fields[0], fields[1], fields[2]);
  return text;
}

/* Raw Ed25519 verifications per second, the same-run baseline. */
static double
ed25519_per_second (void)
{
  guint8 pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
  guint8 sig[crypto_sign_BYTES], msg[200] = { 0 };
  const guint n = 2000;
  gint64 start;

  crypto_sign_keypair (pk, sk);
  crypto_sign_detached (sig, NULL, msg, sizeof msg, sk);
  start = now_us ();
  for (guint i = 0; i < n; i++)
    g_assert_cmpint (crypto_sign_verify_detached (sig, msg, sizeof msg, pk), ==, 0);
  return n / ((now_us () - start) / 1e6);
}

/* `perf record` of this process, attached but disabled until
 * perf_recorder_enable(): perf confirms each command on its ack FIFO, so
 * the recording covers exactly what runs between enable and stop. */
typedef struct {
  GSubprocess *perf;
  char *control_path;
  char *ack_path;
  int control;
  int ack;
} PerfRecorder;

/* Sends @command and waits for perf's "ack", for as long as perf runs;
 * FALSE if it ended first. */
static gboolean
perf_command (PerfRecorder *recorder,
              const char   *command)
{
  char ack[16] = { 0 };
  gssize n = 0;

  g_assert_cmpint (write (recorder->control, command, strlen (command)), ==, strlen (command));
  while (n <= 0 && g_subprocess_get_identifier (recorder->perf) != NULL)
    {
      struct pollfd fd = { recorder->ack, POLLIN, 0 };

      /* Before perf opens its end, the FIFO reads as ended. */
      if (poll (&fd, 1, 100) > 0 && (n = read (recorder->ack, ack, sizeof ack - 1)) == 0)
        g_usleep (10000);
    }
  return n > 0 && g_str_has_prefix (ack, "ack");
}

/* The writing end of @path once perf has opened it, or -1 if perf ended
 * first (it could not attach, say). */
static int
open_control (PerfRecorder *recorder,
              const char   *path)
{
  int fd;

  while ((fd = open (path, O_WRONLY | O_NONBLOCK | O_CLOEXEC)) < 0 && errno == ENXIO &&
         g_subprocess_get_identifier (recorder->perf) != NULL)
    g_usleep (10000);
  if (fd >= 0)
    fcntl (fd, F_SETFL, fcntl (fd, F_GETFL) & ~O_NONBLOCK);
  return fd;
}

static void
perf_recorder_clear (PerfRecorder *recorder)
{
  if (recorder->perf != NULL)
    {
      g_subprocess_force_exit (recorder->perf);
      g_subprocess_wait (recorder->perf, NULL, NULL);
      g_clear_object (&recorder->perf);
    }
  if (recorder->control >= 0)
    close (recorder->control);
  if (recorder->ack >= 0)
    close (recorder->ack);
  if (recorder->control_path != NULL)
    g_unlink (recorder->control_path);
  if (recorder->ack_path != NULL)
    g_unlink (recorder->ack_path);
  g_clear_pointer (&recorder->control_path, g_free);
  g_clear_pointer (&recorder->ack_path, g_free);
  recorder->control = recorder->ack = -1;
}

static gboolean
perf_recorder_start (PerfRecorder *recorder,
                     guint         run)
{
  const char *control = recorder->control_path = g_build_filename (perf_dir, "perf-control.fifo", NULL);
  const char *ack = recorder->ack_path = g_build_filename (perf_dir, "perf-ack.fifo", NULL);
  g_autofree char *fifos = g_strdup_printf ("fifo:%s,%s", control, ack);
  g_autofree char *output = g_strdup_printf ("%s/perf-sync%u.data", perf_dir, run);
  g_autofree char *pid = g_strdup_printf ("%d", (int) getpid ());
  g_autoptr(GError) error = NULL;

  g_mkdir_with_parents (perf_dir, 0755);
  g_unlink (control);
  g_unlink (ack);
  g_assert_cmpint (mkfifo (control, 0600), ==, 0);
  g_assert_cmpint (mkfifo (ack, 0600), ==, 0);
  recorder->perf = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error,
                                     "perf", "record", "-q", "-F", "999",
                                     "--call-graph", "dwarf,16384", "-D", "-1",
                                     "--control", fifos, "-p", pid, "-o", output, NULL);
  if (recorder->perf == NULL)
    {
      g_printerr ("perf record: %s\n", error->message);
      perf_recorder_clear (recorder);
      return FALSE;
    }
  recorder->ack = open (ack, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  recorder->control = open_control (recorder, control);
  if (recorder->ack < 0 || recorder->control < 0 || !perf_command (recorder, "enable\n"))
    {
      g_printerr ("perf record did not start recording (may it attach to this process? "
                  "see /proc/sys/kernel/perf_event_paranoid)\n");
      perf_recorder_clear (recorder);
      return FALSE;
    }
  return TRUE;
}

/* Ends the recording; perf writes its file on SIGINT. */
static void
perf_recorder_stop (PerfRecorder *recorder)
{
  if (recorder->perf == NULL)
    return;
  perf_command (recorder, "disable\n");
  g_subprocess_send_signal (recorder->perf, SIGINT);
  g_subprocess_wait (recorder->perf, NULL, NULL);
  g_clear_object (&recorder->perf);
  perf_recorder_clear (recorder);
}

int
main (int   argc,
      char *argv[])
{
  GOptionEntry entries[] = {
    { "grants", 0, 0, G_OPTION_ARG_INT, &n_grants, "Grants of the patient (10000)", "N" },
    { "access", 0, 0, G_OPTION_ARG_INT, &n_access, "Access events (10000)", "N" },
    { "runs", 0, 0, G_OPTION_ARG_INT, &n_runs, "Timed runs (5)", "N" },
    { "serving-threads", 0, 0, G_OPTION_ARG_INT, &n_serving,
      "The node's serving threads (1, its default)", "N" },
    { "perf", 0, 0, G_OPTION_ARG_FILENAME, &perf_dir,
      "Record this process with `perf record` during each timed sync into DIR (slows the "
      "sync: its times are then not comparable)", "DIR" },
    { NULL },
  };
  g_autoptr(GOptionContext) options = g_option_context_new ("- wallet sync benchmark");
  g_autoptr(GError) error = NULL;
  g_autofree char *serving = NULL;
  g_autoptr(TxPatient) patient = NULL;
  g_autoptr(CwTx) enroll = NULL;
  g_autoptr(GPtrArray) grants = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GPtrArray) access = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GArray) restore_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) sync_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) models_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) wallet_cpu_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) server_cpu_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) wallet_faults = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) baselines = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) ratios = g_array_new (FALSE, FALSE, sizeof (double));
  g_autofree char *code = NULL;
  g_autofree char *patient_id = NULL;
  g_autofree char *recovery = NULL;
  g_autofree char *pin = NULL;
  g_autofree char *log_key = NULL;
  g_autoptr(GTlsCertificate) cert = NULL;
  g_autoptr(CwNodeProfile) profile = NULL;
  g_autoptr(CwBackup) backup = NULL;
  TxNode node = { 0 };
  guint8 lab_grant[CW_TX_ID_SIZE];
  gint64 start;
  double baseline;

  g_option_context_add_main_entries (options, entries, NULL);
  if (!g_option_context_parse (options, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  g_assert_cmpint (sodium_init (), >=, 0);
  engine_test_start_keyring ();

  tx_node_setup (&node);
  tx_node_configure (&node, 1, 1000);
  serving = g_strdup_printf ("%u", n_serving);
  tx_node_set_config (&node, "node", "serving-threads", serving);
  tx_node_start (&node);

  /* The patient's chain, in order; then the access events, concurrently. */
  start = now_us ();
  patient = tx_patient_new ();
  code = tx_node_invite (&node, "gp-one");
  enroll = tx_make_enroll (patient, code, "gp-one");
  json_object_unref (tx_submit_ok (&node, enroll, patient->key));
  tx_patient_advance (patient, enroll);
  for (guint i = 0; i < n_grants; i++)
    {
      g_autoptr(CwTx) grant = tx_make_grant (patient, i % 2 ? "gp-one" : "lab-two",
                                             CW_SCOPE_LAB_RESULTS | CW_SCOPE_SUMMARY,
                                             CW_PURPOSE_TREAT);

      g_ptr_array_add (grants, tx_sign (grant, patient->key));
      tx_patient_advance (patient, grant);
      if (i == 0)
        cw_tx_compute_id (grant, lab_grant);
    }
  post_all (&node, grants, 1);
  g_print ("# %u grants submitted in %.1f s\n", n_grants, (now_us () - start) / 1e6);

  start = now_us ();
  for (guint i = 0; i < n_access; i++)
    {
      g_autoptr(CwTx) event = tx_make_access (patient, "lab-two", lab_grant, CW_SCOPE_LAB_RESULTS,
                                              CW_PURPOSE_TREAT);

      g_ptr_array_add (access, tx_sign (event, node.lab_key));
    }
  post_all (&node, access, 16);
  g_print ("# %u access events submitted in %.1f s\n", n_access, (now_us () - start) / 1e6);

  cert = g_tls_certificate_new_from_file (node.cert_path, &error);
  g_assert_no_error (error);
  pin = cw_tls_pin_for_certificate (cert, &error);
  log_key = cw_verifier_key_to_string (node.log_key);
  profile = cw_node_profile_new (node.server->url, pin, log_key, NULL, 0, &error);
  g_assert_no_error (error);
  patient_id = cw_base64_encode (patient->id, sizeof patient->id);
  recovery = cw_base64_encode (cw_signing_key_get_public_key (patient->recovery), CW_PUBLIC_KEY_SIZE);
  backup = cw_backup_new (patient->key, patient_id, recovery, profile);

  for (guint run = 0; run < n_runs; run++)
    {
      g_autofree char *path = g_strdup_printf ("%s/wallet-%u/wallet.db", node.tmpdir, run);
      g_autoptr(CwKeyring) keyring = cw_keyring_new (NULL);
      g_autoptr(CwWallet) wallet = cw_wallet_new (path, keyring, CW_NODE_CLIENT_FLAGS_NONE, &error);
      g_autoptr(GAsyncResult) restored = NULL;
      g_autoptr(GAsyncResult) synced = NULL;
      PerfRecorder recorder = { NULL, NULL, NULL, -1, -1 };
      double ms, cpu, node_cpu;
      double faults;

      g_assert_no_error (error);
      start = now_us ();
      cw_wallet_restore_async (wallet, backup, NULL, done_cb, &restored);
      while (restored == NULL)
        g_main_context_iteration (NULL, TRUE);
      g_assert_true (cw_wallet_restore_finish (wallet, restored, &error));
      g_assert_no_error (error);
      ms = (now_us () - start) / 1e3;
      g_array_append_val (restore_ms, ms);

      if (perf_dir != NULL && !perf_recorder_start (&recorder, run + 1))
        {
          tx_node_teardown (&node);
          engine_test_stop_keyring ();
          return 1;
        }
      start = now_us ();
      cpu = self_cpu_ms ();
      faults = (double) self_minor_faults ();
      node_cpu = node_cpu_ms (&node);
      cw_wallet_sync_async (wallet, NULL, done_cb, &synced);
      while (synced == NULL)
        g_main_context_iteration (NULL, TRUE);
      g_assert_true (cw_wallet_sync_finish (wallet, synced, &error));
      g_assert_no_error (error);
      ms = (now_us () - start) / 1e3;
      perf_recorder_stop (&recorder);
      g_array_append_val (sync_ms, ms);
      cpu = self_cpu_ms () - cpu;
      g_array_append_val (wallet_cpu_ms, cpu);
      faults = (double) self_minor_faults () - faults;
      g_array_append_val (wallet_faults, faults);
      node_cpu = node_cpu_ms (&node) - node_cpu;
      g_array_append_val (server_cpu_ms, node_cpu);
      /* The baseline right after each sync: the machine is shared, and
       * its speed changes from minute to minute. */
      baseline = ed25519_per_second ();
      g_array_append_val (baselines, baseline);
      baseline = baseline * ms / 1e3;
      g_array_append_val (ratios, baseline);

      start = now_us ();
      wait_n_items (cw_wallet_get_grants (wallet), n_grants);
      wait_n_items (cw_wallet_get_activity (wallet), n_grants + 1 + n_access);
      ms = (now_us () - start) / 1e3;
      g_array_append_val (models_ms, ms);

      g_print ("run %u: restore %.0f ms, sync %.0f ms (CPU: wallet %.0f ms, node %.0f ms), "
               "%.0f page faults, models %.0f ms; Ed25519 %.0f/s; load %s\n", run + 1,
               g_array_index (restore_ms, double, run), g_array_index (sync_ms, double, run),
               cpu, node_cpu, faults, g_array_index (models_ms, double, run),
               g_array_index (baselines, double, run), load_average ());
    }

  g_print ("\n| %u grants + %u access events | median of %u |\n|---|---|\n", n_grants, n_access,
           n_runs);
  g_print ("| restore (chain fetch + verify + store) | %.0f ms |\n", median (restore_ms));
  g_print ("| sync + full verification | %.0f ms |\n", median (sync_ms));
  g_print ("| CPU during the sync: wallet process | %.0f ms |\n", median (wallet_cpu_ms));
  g_print ("| page faults during the sync: wallet process | %.0f |\n", median (wallet_faults));
  g_print ("| CPU during the sync: node process | %.0f ms |\n", median (server_cpu_ms));
  g_print ("| list models load (grants + activity) | %.0f ms |\n", median (models_ms));
  g_print ("| baseline: raw Ed25519 verifications, 1 core, after each sync | %.0f /s |\n",
           median (baselines));
  g_print ("| sync, in Ed25519 verification times (per-run ratio) | %.0f |\n", median (ratios));

  tx_node_teardown (&node);
  engine_test_stop_keyring ();
  return 0;
}

/* node-bench.c: the node's load generator. Each run makes a throwaway
 * node directory, starts a real `consent-node serve` on 127.0.0.1, enrolls
 * many patients and then submits pre-signed grant/access/revoke chains from
 * all of them over many keep-alive HTTPS connections (libsoup 3): first as
 * fast as the node answers (closed loop, one transaction in flight per
 * connection), then rate-limited at half of that (open loop: latency counts
 * from the scheduled send time). In the same run it measures raw libsodium
 * Ed25519 verifications per second, the baseline of the throughput ratio.
 * Last, the same load generator drives node-bench-echo, a libsoup HTTPS
 * server with the node's certificate and serving threads that does no
 * work: the ceiling any libsoup-based node can reach on this machine.
 * After all runs it prints the medians as a Markdown table.
 *
 * Not a test: nothing here asserts a timing. See docs/PERFORMANCE.md. */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <locale.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "cw-checkpoint.h"
#include "cw-dsse.h"
#include "cw-encoding.h"
#include "cw-key.h"
#include "cw-merkle.h"
#include "cw-node-data-dir.h"
#include "cw-node-invite.h"
#include "cw-tlog-proof.h"
#include "cw-tx.h"
#include "node-bench-verify.h"

#define BENCH_ORIGIN "bench.consentwallet.invalid/log"
#define BENCH_CLINIC "bench-practice"
#define SAMPLE_EVERY 997
#define MAX_SAMPLES 16
#define MAX_REPORTED_ERRORS 5

/* Options ---------------------------------------------------------------- */

static int opt_runs = 3;
static int opt_patients = 1024;
static int opt_connections = 64;
static int opt_cycles = 12;
static double opt_max_seconds = 6.0;
static double opt_half_seconds = 6.0;
static double opt_warmup_seconds = 1.5;
static double opt_verify_seconds = 1.0;
static int opt_batch_interval_ms = 0;
static int opt_batch_max_size = 0;
static int opt_serving_threads = 0;
static double opt_echo_seconds = -1;
static char *opt_node = NULL;
static char *opt_workdir = NULL;
static char *opt_output = NULL;
static char *opt_perf = NULL;
static gboolean opt_keep = FALSE;

static const GOptionEntry option_entries[] = {
  { "runs", 'n', 0, G_OPTION_ARG_INT, &opt_runs, "Runs, each on a fresh node (default 3)", "N" },
  { "patients", 'p', 0, G_OPTION_ARG_INT, &opt_patients, "Patients (default 1024)", "N" },
  { "connections", 'c', 0, G_OPTION_ARG_INT, &opt_connections,
    "Concurrent keep-alive connections (default 64)", "N" },
  { "cycles", 0, 0, G_OPTION_ARG_INT, &opt_cycles,
    "Pre-signed grant/access/revoke cycles per patient (default 12)", "N" },
  { "max-seconds", 0, 0, G_OPTION_ARG_DOUBLE, &opt_max_seconds,
    "Length of the maximum-load phase (default 6)", "S" },
  { "half-seconds", 0, 0, G_OPTION_ARG_DOUBLE, &opt_half_seconds,
    "Length of the half-load phase (default 6)", "S" },
  { "warmup-seconds", 0, 0, G_OPTION_ARG_DOUBLE, &opt_warmup_seconds,
    "Start of each phase left out of the figures (default 1.5)", "S" },
  { "verify-seconds", 0, 0, G_OPTION_ARG_DOUBLE, &opt_verify_seconds,
    "Length of each baseline measurement (default 1)", "S" },
  { "batch-interval-ms", 0, 0, G_OPTION_ARG_INT, &opt_batch_interval_ms,
    "Node setting [sequencer] batch-interval-ms (default: the node's)", "MS" },
  { "batch-max-size", 0, 0, G_OPTION_ARG_INT, &opt_batch_max_size,
    "Node setting [sequencer] batch-max-size (default: the node's)", "N" },
  { "serving-threads", 0, 0, G_OPTION_ARG_INT, &opt_serving_threads,
    "Node setting [node] serving-threads, also used by the echo server"
    " (default: the node's)", "N" },
  { "echo-seconds", 0, 0, G_OPTION_ARG_DOUBLE, &opt_echo_seconds,
    "Length of the echo-server ceiling phase (default: --max-seconds; 0: skip it)", "S" },
  { "node", 0, 0, G_OPTION_ARG_FILENAME, &opt_node, "The consent-node binary", "PATH" },
  { "workdir", 0, 0, G_OPTION_ARG_FILENAME, &opt_workdir,
    "Where the throwaway node directories go (default: $TMPDIR); use a real disk", "DIR" },
  { "output", 'o', 0, G_OPTION_ARG_FILENAME, &opt_output,
    "Also write the result table to FILE", "FILE" },
  { "perf", 0, 0, G_OPTION_ARG_FILENAME, &opt_perf,
    "Record the node with `perf record` during each maximum-load window into DIR", "DIR" },
  { "keep", 0, 0, G_OPTION_ARG_NONE, &opt_keep, "Keep the node directories", NULL },
  { NULL }
};

/* State ------------------------------------------------------------------ */

/* One patient's pre-signed submissions, in the order they are sent:
 * enroll, then cycles of grant (patient), access (provider), revoke
 * (patient). */
typedef struct
{
  CwSigningKey *key;
  CwSigningKey *recovery;
  char *invite;
  GPtrArray *envelopes;     /* GBytes */
  GArray *ids;              /* CW_TX_ID_SIZE bytes each */
  guint next;               /* the next envelope to send */
  guint phase_end;          /* the current phase sends up to here */
  gboolean broken;          /* refused once: its chain cannot go on */
} Patient;

typedef struct _Bench Bench;

/* Connections (slots) per SoupSession; see run_once(). */
#define SLOTS_PER_SESSION 16

/* One connection's worth of load: one submission in flight at a time, for
 * its own patients in turn, so each patient's chain stays sequential. */
typedef struct
{
  Bench *bench;
  SoupSession *session;     /* shared with a few other slots */
  GArray *patients;         /* guint indices */
  guint cursor;
  Patient *patient;         /* the one in flight, or NULL */
  gint64 intended;          /* when the submission was due */
  gboolean exhausted;
  guint answered;           /* in this phase */
} Slot;

typedef struct
{
  const char *name;
  double rate;              /* submissions per second; 0: closed loop */
  gint64 duration_us;
  gint64 warmup_us;
  GUri *uri;                /* where to post; NULL: the node's /v1/tx */
  gboolean echo;            /* the echo server: nothing is sequenced */
  guint per_slot;           /* answers per slot, then it stops; 0: no limit */
  GPid pid;                 /* the server whose CPU time is measured */

  gint64 started;
  gint64 window_start;
  gint64 window_end;
  gint64 first_exhausted;
  guint64 issued;
  guint in_flight;
  guint n_exhausted;
  gboolean stopping;        /* the time is up */
  guint window_id;
  guint end_id;
  guint pace_id;

  guint64 ok;
  guint64 ok_in_window;
  guint64 errors;
  guint64 retries;
  guint64 allowed;
  guint handshakes;         /* TLS connections opened during the phase */
  GArray *latencies;        /* gint64 µs, receipts in the window */

  /* CPU time at the window's start and end. */
  gint64 node_cpu_start;
  gint64 node_cpu_end;
  gint64 self_cpu_start;
  gint64 self_cpu_end;
  GSubprocess *perf;
} Phase;

struct _Bench
{
  char *tmpdir;
  char *dir;
  char *clinic_key_path;
  char *cert_path;
  CwSigningKey *clinic_key;
  CwVerifierKey *log_key;
  GTlsCertificate *certificate;
  GSubprocess *node;
  char *url;
  GUri *tx_uri;
  GPtrArray *sessions;      /* SoupSession, one per SLOTS_PER_SESSION slots */
  GTlsDatabase *database;   /* trusts only the node's certificate */
  gsize receipt_size;       /* of the last receipt, for the echo server */
  guint serving_threads;
  GMainLoop *loop;
  guint run;

  Patient *patients;
  guint n_patients;
  Slot *slots;
  guint n_slots;
  GQueue idle;
  Phase *phase;
  guint n_reported_errors;
  guint n_handshakes;

  GPtrArray *samples;       /* receipt bodies, GBytes */
  GArray *sample_ids;
};

/* The figures of one run. */
typedef struct
{
  double verify_one;
  double verify_all;
  double enroll_rate;
  double max_rate;
  double max_p50;
  double max_p99;
  double half_target;
  double half_rate;
  double half_p50;
  double half_p99;
  double node_cpu_per_tx;
  double client_cpu_per_tx;
  double batch_mean;
  double echo_rate;
  double echo_p50;
  double echo_p99;
  double echo_server_cpu_per_req;
  double echo_client_cpu_per_req;
  double node_to_echo;
  guint64 errors;
  guint64 retries;
} RunResult;

/* Helpers ---------------------------------------------------------------- */

static const char *
node_binary (void)
{
  return opt_node != NULL ? opt_node : CW_NODE_BINARY;
}

static void
child_setup (gpointer user_data)
{
  /* The node dies with the benchmark, whatever happens to it. */
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

/* Runs consent-node to completion and returns its standard output. */
static char *
run_node (const char *first_arg,
          ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  char *out = NULL;
  const char *arg;
  va_list ap;

  g_ptr_array_add (args, (gpointer) node_binary ());
  va_start (ap, first_arg);
  for (arg = first_arg; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (args, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) args->pdata, &error);
  if (process == NULL || !g_subprocess_communicate_utf8 (process, NULL, NULL, &out, &err, &error))
    g_error ("Running %s: %s", node_binary (), error->message);

  if (!g_subprocess_get_if_exited (process) || g_subprocess_get_exit_status (process) != 0)
    g_error ("consent-node %s failed: %s", first_arg, err);

  return out;
}

static char *
get_field (const char *text,
           const char *key)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  g_autofree char *prefix = g_strconcat (key, ": ", NULL);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (g_str_has_prefix (lines[i], prefix))
        return g_strdup (lines[i] + strlen (prefix));
    }

  return NULL;
}

/* User plus system CPU time of process @pid, in µs. */
static gint64
process_cpu_us (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *text = NULL;
  unsigned long utime = 0, stime = 0;
  const char *p;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return 0;

  /* Fields 14 and 15, counted after the command name's ")". */
  p = strrchr (text, ')');
  if (p == NULL ||
      sscanf (p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime) != 2)
    return 0;

  return (gint64) (utime + stime) * G_USEC_PER_SEC / sysconf (_SC_CLK_TCK);
}

static gint64
self_cpu_us (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);

  return (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * G_USEC_PER_SEC +
         usage.ru_utime.tv_usec + usage.ru_stime.tv_usec;
}

static GPid
node_pid (Bench *bench)
{
  const char *id = g_subprocess_get_identifier (bench->node);

  return id != NULL ? (GPid) g_ascii_strtoll (id, NULL, 10) : 0;
}

static int
compare_gint64 (gconstpointer a,
                gconstpointer b)
{
  gint64 x = *(const gint64 *) a;
  gint64 y = *(const gint64 *) b;

  return (x > y) - (x < y);
}

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return (x > y) - (x < y);
}

/* The @q quantile of the sorted latencies, in ms (nearest rank). */
static double
quantile_ms (GArray *sorted,
             double  q)
{
  guint rank;

  if (sorted->len == 0)
    return 0;

  rank = (guint) MIN ((double) sorted->len - 1, q * sorted->len);

  return g_array_index (sorted, gint64, rank) / 1000.0;
}

/* Setup ------------------------------------------------------------------ */

static void
configure_node (Bench *bench)
{
  g_autofree char *conf = g_build_filename (bench->dir, "node.conf", NULL);
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autoptr(GError) error = NULL;

  if (!g_key_file_load_from_file (key_file, conf, G_KEY_FILE_KEEP_COMMENTS, &error))
    g_error ("Reading %s: %s", conf, error->message);

  /* The echo server gets as many serving threads as the node has (a node
   * without the setting serves on one). */
  bench->serving_threads = g_key_file_get_uint64 (key_file, "node", "serving-threads", NULL);
  if (opt_serving_threads > 0)
    bench->serving_threads = opt_serving_threads;
  bench->serving_threads = MAX (bench->serving_threads, 1);

  if (opt_batch_interval_ms <= 0 && opt_batch_max_size <= 0 && opt_serving_threads <= 0)
    return;

  if (opt_serving_threads > 0)
    g_key_file_set_uint64 (key_file, "node", "serving-threads", opt_serving_threads);
  if (opt_batch_interval_ms > 0)
    g_key_file_set_uint64 (key_file, "sequencer", "batch-interval-ms", opt_batch_interval_ms);
  if (opt_batch_max_size > 0)
    g_key_file_set_uint64 (key_file, "sequencer", "batch-max-size", opt_batch_max_size);
  if (!g_key_file_save_to_file (key_file, conf, &error))
    g_error ("Writing %s: %s", conf, error->message);
}

static void
init_node (Bench *bench)
{
  g_autofree char *init_out = NULL;
  g_autofree char *verifier = NULL;
  g_autofree char *provider_out = NULL;
  g_autofree char *key_text = NULL;
  g_autoptr(GError) error = NULL;

  bench->tmpdir = g_dir_make_tmp ("cw-node-bench-XXXXXX", &error);
  if (opt_workdir != NULL)
    {
      g_autofree char *template = g_build_filename (opt_workdir, "cw-node-bench-XXXXXX", NULL);

      g_clear_error (&error);
      g_free (bench->tmpdir);
      bench->tmpdir = g_mkdtemp (g_steal_pointer (&template));
      if (bench->tmpdir == NULL)
        g_error ("Making a directory in %s: %s", opt_workdir, g_strerror (errno));
    }
  if (bench->tmpdir == NULL)
    g_error ("Making a temporary directory: %s", error->message);

  bench->dir = g_build_filename (bench->tmpdir, "node", NULL);
  init_out = run_node ("init", "--dir", bench->dir, "--origin", BENCH_ORIGIN,
                       "--listen", "127.0.0.1:0", NULL);
  verifier = get_field (init_out, "verifier-key");
  if (verifier == NULL)
    g_error ("consent-node init printed no verifier key");
  bench->log_key = cw_verifier_key_new_from_string (verifier, &error);
  if (bench->log_key == NULL)
    g_error ("The log's verifier key: %s", error->message);

  bench->cert_path = g_build_filename (bench->dir, "tls-cert.pem", NULL);
  bench->certificate = g_tls_certificate_new_from_file (bench->cert_path, &error);
  if (bench->certificate == NULL)
    g_error ("Loading %s: %s", bench->cert_path, error->message);

  bench->clinic_key_path = g_build_filename (bench->tmpdir, BENCH_CLINIC ".key", NULL);
  provider_out = run_node ("provider", "add", "--dir", bench->dir, "--id", BENCH_CLINIC,
                           "--name", "Bench Practice", "--organization", "Bench Health",
                           "--kind", "practice", "--generate-key", bench->clinic_key_path,
                           NULL);
  if (!g_file_get_contents (bench->clinic_key_path, &key_text, NULL, &error))
    g_error ("Reading %s: %s", bench->clinic_key_path, error->message);
  bench->clinic_key = cw_signing_key_new_from_string (g_strstrip (key_text), &error);
  if (bench->clinic_key == NULL)
    g_error ("The clinic's key: %s", error->message);

  configure_node (bench);
}

/* One invite per patient, registered through the node's own store while
 * the node is not running (as `consent-node invite` does, without a
 * process per code). */
static void
make_invites (Bench *bench)
{
  g_autoptr(CwNodeDataDir) data_dir = NULL;
  g_autoptr(GError) error = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  data_dir = cw_node_data_dir_open (bench->dir, &error);
  if (data_dir == NULL)
    g_error ("Opening %s: %s", bench->dir, error->message);

  for (guint i = 0; i < bench->n_patients; i++)
    {
      bench->patients[i].invite = cw_node_invite_create (cw_node_data_dir_get_store (data_dir),
                                                         BENCH_CLINIC, now,
                                                         now + 24 * 3600, &error);
      if (bench->patients[i].invite == NULL)
        g_error ("Registering an invite: %s", error->message);
    }
}

static void
add_envelope (Patient      *patient,
              CwTx         *tx,
              CwSigningKey *key)
{
  g_autoptr(GBytes) payload = cw_tx_to_payload (tx);
  g_autoptr(CwDsseEnvelope) envelope = NULL;
  g_autoptr(GError) error = NULL;
  guint8 id[CW_TX_ID_SIZE];
  gsize len = 0;
  char *json;

  envelope = cw_dsse_envelope_sign (payload, key, &error);
  if (envelope == NULL)
    g_error ("Signing: %s", error->message);
  json = cw_dsse_envelope_to_json (envelope, &len);
  g_ptr_array_add (patient->envelopes, g_bytes_new_take (json, len));

  cw_tx_compute_id (tx, id);
  g_array_append_vals (patient->ids, id, 1);
}

static void
sign_patient (gpointer data,
              gpointer user_data)
{
  Patient *patient = data;
  Bench *bench = user_data;
  const guint8 *patient_id;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) expires = g_date_time_add_days (now, 1);
  g_autoptr(GError) error = NULL;
  const CwScopes scopes = CW_SCOPE_SUMMARY | CW_SCOPE_ALLERGIES | CW_SCOPE_MEDICATIONS;
  guint8 head[CW_TX_ID_SIZE];
  guint64 seq = 0;

  patient->key = cw_signing_key_generate ("patient", CW_KEY_TYPE_ED25519, &error);
  patient->recovery = cw_signing_key_generate ("recovery", CW_KEY_TYPE_ED25519, &error);
  if (patient->key == NULL || patient->recovery == NULL)
    g_error ("Generating keys: %s", error->message);
  patient_id = cw_signing_key_get_public_key (patient->key);

  patient->envelopes = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  patient->ids = g_array_new (FALSE, FALSE, CW_TX_ID_SIZE);

  {
    CwTxCommon common = { patient_id, 0, NULL, now, NULL };
    g_autoptr(CwTx) enroll = NULL;

    enroll = cw_tx_new_enroll (&common, cw_signing_key_get_public_key (patient->recovery),
                               patient->invite, BENCH_CLINIC, &error);
    if (enroll == NULL)
      g_error ("Enroll: %s", error->message);
    add_envelope (patient, enroll, patient->key);
    cw_tx_compute_id (enroll, head);
  }

  for (int cycle = 0; cycle < opt_cycles; cycle++)
    {
      CwTxCommon grant_common = { patient_id, ++seq, head, now, NULL };
      CwTxCommon access_common = { patient_id, 0, NULL, now, NULL };
      g_autoptr(CwTx) grant = NULL;
      g_autoptr(CwTx) access = NULL;
      g_autoptr(CwTx) revoke = NULL;
      guint8 grant_id[CW_TX_ID_SIZE];

      grant = cw_tx_new_grant (&grant_common, BENCH_CLINIC, scopes, CW_PURPOSE_TREAT,
                               CW_ACCESS_VIEW, NULL, NULL, expires, NULL, &error);
      if (grant == NULL)
        g_error ("Grant: %s", error->message);
      add_envelope (patient, grant, patient->key);
      cw_tx_compute_id (grant, grant_id);
      memcpy (head, grant_id, sizeof head);

      access = cw_tx_new_access (&access_common, BENCH_CLINIC, grant_id, CW_SCOPE_SUMMARY,
                                 CW_PURPOSE_TREAT, &error);
      if (access == NULL)
        g_error ("Access: %s", error->message);
      add_envelope (patient, access, bench->clinic_key);

      {
        CwTxCommon revoke_common = { patient_id, ++seq, head, now, NULL };

        revoke = cw_tx_new_revoke (&revoke_common, grant_id, &error);
        if (revoke == NULL)
          g_error ("Revoke: %s", error->message);
        add_envelope (patient, revoke, patient->key);
        cw_tx_compute_id (revoke, head);
      }
    }
}

/* Signs every submission of every patient before anything is timed, on
 * all cores. */
static void
sign_all (Bench *bench)
{
  g_autoptr(GError) error = NULL;
  GThreadPool *pool;

  pool = g_thread_pool_new (sign_patient, bench, (int) g_get_num_processors (), TRUE, &error);
  if (pool == NULL)
    g_error ("Starting signing threads: %s", error->message);
  for (guint i = 0; i < bench->n_patients; i++)
    g_thread_pool_push (pool, &bench->patients[i], NULL);
  g_thread_pool_free (pool, FALSE, TRUE);
}

static void
start_node (Bench *bench)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *log_path = g_build_filename (bench->tmpdir, "node.log", NULL);
  g_autofree char *line = NULL;

  /* One log line per request and per batch, written to a file as an
   * operator's journal would take them. */
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_stderr_file_path (launcher, log_path);
  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  bench->node = g_subprocess_launcher_spawn (launcher, &error, node_binary (),
                                             "serve", "--dir", bench->dir, NULL);
  if (bench->node == NULL)
    g_error ("Starting the node: %s", error->message);

  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (bench->node));
  line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  if (line == NULL || !g_str_has_prefix (line, "listening on https://127.0.0.1:"))
    g_error ("The node did not start; see %s", log_path);

  bench->url = g_strdup (line + strlen ("listening on "));
  {
    g_autofree char *tx_url = g_strconcat (bench->url, "/v1/tx", NULL);

    bench->tx_uri = g_uri_parse (tx_url, SOUP_HTTP_URI_FLAGS, NULL);
  }
}

static void
stop_node (Bench *bench)
{
  g_autoptr(GError) error = NULL;

  if (bench->node == NULL)
    return;

  g_subprocess_send_signal (bench->node, SIGTERM);
  if (!g_subprocess_wait (bench->node, NULL, &error))
    g_warning ("Waiting for the node: %s", error->message);
  else if (!g_subprocess_get_if_exited (bench->node) ||
           g_subprocess_get_exit_status (bench->node) != 0)
    g_warning ("The node did not stop cleanly");
  g_clear_object (&bench->node);
}

/* Starts the echo server with the node's certificate and serving threads,
 * answering bodies as large as the node's receipts; returns its URL. */
static GSubprocess *
start_echo (Bench  *bench,
            GUri  **out_uri)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GSubprocess) echo = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *key_path = g_build_filename (bench->dir, "tls-key.pem", NULL);
  g_autofree char *threads = g_strdup_printf ("%u", bench->serving_threads);
  g_autofree char *body_size = g_strdup_printf ("%" G_GSIZE_FORMAT,
                                                MAX (bench->receipt_size, (gsize) 64));
  g_autofree char *line = NULL;
  g_autofree char *tx_url = NULL;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  echo = g_subprocess_launcher_spawn (launcher, &error, CW_ECHO_BINARY,
                                      "--cert", bench->cert_path, "--key", key_path,
                                      "--threads", threads, "--body-size", body_size, NULL);
  if (echo == NULL)
    g_error ("Starting the echo server: %s", error->message);

  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (echo));
  line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  if (line == NULL || !g_str_has_prefix (line, "listening on https://127.0.0.1:"))
    g_error ("The echo server did not start");

  tx_url = g_strconcat (line + strlen ("listening on "), "/v1/tx", NULL);
  *out_uri = g_uri_parse (tx_url, SOUP_HTTP_URI_FLAGS, NULL);

  return g_steal_pointer (&echo);
}

static void
stop_echo (GSubprocess *echo)
{
  g_subprocess_force_exit (echo);
  g_subprocess_wait (echo, NULL, NULL);
}

static gboolean
accept_certificate_cb (SoupMessage          *msg,
                       GTlsCertificate      *peer,
                       GTlsCertificateFlags  errors,
                       gpointer              user_data)
{
  Bench *bench = user_data;

  /* Self-signed: accepted only if it is exactly the node's certificate. */
  return g_tls_certificate_is_same (peer, bench->certificate);
}

/* Counts TLS handshakes: with the certificate in the session's TLS
 * database, "accept-certificate" is never emitted. */
static void
network_event_cb (SoupMessage        *msg,
                  GSocketClientEvent  event,
                  GIOStream          *connection,
                  gpointer            user_data)
{
  Bench *bench = user_data;

  if (event == G_SOCKET_CLIENT_TLS_HANDSHAKED)
    bench->n_handshakes++;
}

/* Load ------------------------------------------------------------------- */

static void slot_send (Slot *slot);

/* The next patient of the slot with something left in this phase. */
static Patient *
slot_next_patient (Slot *slot)
{
  Bench *bench = slot->bench;

  for (guint tries = 0; tries < slot->patients->len; tries++)
    {
      guint index = g_array_index (slot->patients, guint, slot->cursor);
      Patient *patient = &bench->patients[index];

      slot->cursor = (slot->cursor + 1) % slot->patients->len;
      if (!patient->broken && patient->next < patient->phase_end)
        return patient;
    }

  return NULL;
}

/* A phase ends when its time is up, or when every slot has run out, and
 * nothing is in flight any more. */
static void
phase_maybe_finish (Bench *bench)
{
  Phase *phase = bench->phase;

  if (phase->in_flight == 0 && (phase->stopping || phase->n_exhausted == bench->n_slots))
    g_main_loop_quit (bench->loop);
}

static void
mark_exhausted (Slot *slot)
{
  Phase *phase = slot->bench->phase;

  slot->exhausted = TRUE;
  phase->n_exhausted++;
  if (phase->first_exhausted == 0)
    phase->first_exhausted = g_get_monotonic_time ();
}

static void
keep_sample (Bench   *bench,
             Patient *patient,
             GBytes  *body)
{
  if (bench->samples->len >= MAX_SAMPLES)
    return;

  g_ptr_array_add (bench->samples, g_bytes_ref (body));
  g_array_append_vals (bench->sample_ids,
                       &g_array_index (patient->ids, guint8, patient->next * CW_TX_ID_SIZE), 1);
}

static void
report_error (Bench      *bench,
              guint       status,
              GBytes     *body,
              const GError *error)
{
  if (bench->n_reported_errors++ >= MAX_REPORTED_ERRORS)
    return;

  if (error != NULL)
    g_printerr ("  submission failed: %s\n", error->message);
  else
    g_printerr ("  submission refused: %u %.*s\n", status,
                (int) MIN (g_bytes_get_size (body), 300), (const char *) g_bytes_get_data (body, NULL));
}

static void
sent_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Slot *slot = user_data;
  Bench *bench = slot->bench;
  Phase *phase = bench->phase;
  Patient *patient = g_steal_pointer (&slot->patient);
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  gint64 now;
  guint status;

  msg = g_object_ref (soup_session_get_async_result_message (SOUP_SESSION (source), result));
  body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  now = g_get_monotonic_time ();
  status = soup_message_get_status (msg);
  phase->in_flight--;

  if (body != NULL && status == SOUP_STATUS_OK)
    {
      phase->ok++;
      if (now >= phase->window_start && (phase->window_end == 0 || now <= phase->window_end))
        {
          gint64 latency = now - slot->intended;

          phase->ok_in_window++;
          g_array_append_val (phase->latencies, latency);
        }
      /* The echo server logs nothing: the same envelopes go again. */
      if (!phase->echo)
        {
          bench->receipt_size = g_bytes_get_size (body);
          if (phase->ok % SAMPLE_EVERY == 0)
            keep_sample (bench, patient, body);
          if (g_strstr_len (g_bytes_get_data (body, NULL), g_bytes_get_size (body),
                            "\"outcome\":\"allowed\"") != NULL)
            phase->allowed++;
          patient->next++;
        }
    }
  else if (body != NULL && status == SOUP_STATUS_SERVICE_UNAVAILABLE)
    {
      /* Busy: the same envelope again, as the API says. */
      phase->retries++;
    }
  else
    {
      phase->errors++;
      patient->broken = TRUE;
      report_error (bench, status, body, error);
    }

  if (phase->per_slot > 0 && ++slot->answered >= phase->per_slot)
    {
      mark_exhausted (slot);
      phase_maybe_finish (bench);
      return;
    }

  if (phase->stopping)
    {
      phase_maybe_finish (bench);
      return;
    }

  if (phase->rate > 0)
    {
      g_queue_push_tail (&bench->idle, slot);
      return;
    }

  slot->intended = now;
  slot_send (slot);
}

/* Sends the slot's next submission; marks the slot exhausted if it has
 * none left in this phase. */
static void
slot_send (Slot *slot)
{
  Bench *bench = slot->bench;
  Phase *phase = bench->phase;
  g_autoptr(SoupMessage) msg = NULL;
  Patient *patient;

  patient = slot_next_patient (slot);
  if (patient == NULL)
    {
      mark_exhausted (slot);
      phase_maybe_finish (bench);
      return;
    }

  msg = soup_message_new_from_uri (SOUP_METHOD_POST,
                                   phase->uri != NULL ? phase->uri : bench->tx_uri);
  /* libsoup opens a new connection for each POST unless it is marked
   * idempotent, which POST /v1/tx is: the same envelope again gets the
   * same receipt. */
  soup_message_add_flags (msg, SOUP_MESSAGE_IDEMPOTENT);
  g_signal_connect (msg, "accept-certificate", G_CALLBACK (accept_certificate_cb), bench);
  g_signal_connect (msg, "network-event", G_CALLBACK (network_event_cb), bench);
  soup_message_set_request_body_from_bytes (msg, "application/json",
                                            g_ptr_array_index (patient->envelopes, patient->next));

  slot->patient = patient;
  phase->issued++;
  phase->in_flight++;
  soup_session_send_and_read_async (slot->session, msg, G_PRIORITY_DEFAULT, NULL, sent_cb, slot);
}

/* Open loop: issues what is due by now to idle slots. */
static gboolean
pace_cb (gpointer user_data)
{
  Bench *bench = user_data;
  Phase *phase = bench->phase;
  gint64 now = g_get_monotonic_time ();
  guint64 due;

  if (phase->stopping)
    return G_SOURCE_CONTINUE;

  due = (guint64) ((now - phase->started) * phase->rate / G_USEC_PER_SEC);
  while (phase->issued < due && !g_queue_is_empty (&bench->idle))
    {
      Slot *slot = g_queue_pop_head (&bench->idle);

      slot->intended = phase->started + (gint64) (phase->issued * G_USEC_PER_SEC / phase->rate);
      slot_send (slot);
    }

  return G_SOURCE_CONTINUE;
}

static void
perf_start (Bench *bench,
            Phase *phase)
{
  g_autofree char *output = NULL;
  g_autofree char *pid = NULL;
  g_autoptr(GError) error = NULL;

  if (opt_perf == NULL || phase->rate > 0 || phase->echo)
    return;

  g_mkdir_with_parents (opt_perf, 0755);
  output = g_strdup_printf ("%s/perf-run%u.data", opt_perf, bench->run);
  pid = g_strdup_printf ("%d", (int) phase->pid);
  phase->perf = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                  G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error,
                                  "perf", "record", "-F", "499", "--call-graph", "dwarf,8192",
                                  "-p", pid,
                                  "-o", output, NULL);
  if (phase->perf == NULL)
    g_printerr ("  perf record: %s\n", error->message);
}

static void
perf_stop (Phase *phase)
{
  if (phase->perf == NULL)
    return;

  g_subprocess_send_signal (phase->perf, SIGINT);
  g_subprocess_wait (phase->perf, NULL, NULL);
  g_clear_object (&phase->perf);
}

static gboolean
window_start_cb (gpointer user_data)
{
  Bench *bench = user_data;
  Phase *phase = bench->phase;

  phase->window_id = 0;
  phase->node_cpu_start = process_cpu_us (phase->pid);
  phase->self_cpu_start = self_cpu_us ();
  perf_start (bench, phase);

  return G_SOURCE_REMOVE;
}

static gboolean
phase_end_cb (gpointer user_data)
{
  Bench *bench = user_data;
  Phase *phase = bench->phase;

  phase->end_id = 0;
  phase->window_end = g_get_monotonic_time ();
  phase->node_cpu_end = process_cpu_us (phase->pid);
  phase->self_cpu_end = self_cpu_us ();
  perf_stop (phase);
  phase->stopping = TRUE;
  phase_maybe_finish (bench);

  return G_SOURCE_REMOVE;
}

/* Runs one phase: each patient sends up to @per_patient more submissions,
 * until the time is up if the phase has a duration. */
static void
run_phase (Bench *bench,
           Phase *phase,
           guint  per_patient)
{
  phase->latencies = g_array_new (FALSE, FALSE, sizeof (gint64));
  phase->handshakes = bench->n_handshakes;
  if (phase->pid == 0)
    phase->pid = node_pid (bench);
  bench->phase = phase;
  g_queue_clear (&bench->idle);

  for (guint i = 0; i < bench->n_patients; i++)
    {
      Patient *patient = &bench->patients[i];

      patient->phase_end = patient->next + MIN (per_patient,
                                                patient->envelopes->len - patient->next);
    }

  phase->started = g_get_monotonic_time ();
  phase->window_start = phase->started + phase->warmup_us;
  if (phase->duration_us > 0)
    {
      phase->window_id = g_timeout_add ((guint) (phase->warmup_us / 1000), window_start_cb, bench);
      phase->end_id = g_timeout_add ((guint) (phase->duration_us / 1000), phase_end_cb, bench);
    }

  for (guint i = 0; i < bench->n_slots; i++)
    {
      Slot *slot = &bench->slots[i];

      slot->exhausted = FALSE;
      slot->answered = 0;
      if (phase->rate > 0)
        {
          g_queue_push_tail (&bench->idle, slot);
        }
      else
        {
          slot->intended = g_get_monotonic_time ();
          slot_send (slot);
        }
    }

  if (phase->rate > 0)
    phase->pace_id = g_timeout_add (1, pace_cb, bench);

  if (!(phase->in_flight == 0 && phase->n_exhausted == bench->n_slots))
    g_main_loop_run (bench->loop);

  if (phase->window_end == 0)
    phase->window_end = g_get_monotonic_time ();
  if (phase->node_cpu_end == 0)
    {
      phase->node_cpu_end = process_cpu_us (phase->pid);
      phase->self_cpu_end = self_cpu_us ();
    }
  g_clear_handle_id (&phase->window_id, g_source_remove);
  g_clear_handle_id (&phase->end_id, g_source_remove);
  g_clear_handle_id (&phase->pace_id, g_source_remove);
  perf_stop (phase);

  /* Running dry before the end lowers the load: say so. */
  if (phase->duration_us > 0 && phase->first_exhausted != 0 &&
      phase->first_exhausted < phase->window_end)
    {
      g_printerr ("  %s: a connection ran out of pre-signed submissions %.2f s before the end;"
                  " raise --cycles\n", phase->name,
                  (phase->window_end - phase->first_exhausted) / 1e6);
    }

  g_array_sort (phase->latencies, compare_gint64);
  phase->handshakes = bench->n_handshakes - phase->handshakes;
}

static double
phase_rate (Phase *phase)
{
  gint64 window = phase->window_end - phase->window_start;

  return window > 0 ? phase->ok_in_window * (double) G_USEC_PER_SEC / window : 0;
}

/* Checks the sampled receipts: the checkpoint opens with the log key and
 * the proof includes the transaction's ID. */
static void
check_samples (Bench *bench)
{
  for (guint i = 0; i < bench->samples->len; i++)
    {
      GBytes *body = g_ptr_array_index (bench->samples, i);
      const guint8 *id = &g_array_index (bench->sample_ids, guint8, i * CW_TX_ID_SIZE);
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(CwTlogProof) proof = NULL;
      g_autoptr(CwSignedCheckpoint) opened = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *id_base64 = cw_base64_encode (id, CW_TX_ID_SIZE);
      guint8 leaf[CW_MERKLE_HASH_SIZE];
      JsonObject *receipt;
      const char *text;
      CwCheckpoint *checkpoint;

      if (!json_parser_load_from_data (parser, g_bytes_get_data (body, NULL),
                                       g_bytes_get_size (body), &error))
        g_error ("A receipt is not JSON: %s", error->message);
      receipt = json_node_get_object (json_parser_get_root (parser));
      if (g_strcmp0 (json_object_get_string_member_with_default (receipt, "id", ""), id_base64) != 0)
        g_error ("A receipt names another transaction");
      text = json_object_get_string_member_with_default (receipt, "proof", "");
      proof = cw_tlog_proof_parse (text, -1, &error);
      if (proof == NULL)
        g_error ("A receipt's proof: %s", error->message);
      opened = cw_signed_checkpoint_open (proof->checkpoint, strlen (proof->checkpoint),
                                          bench->log_key, NULL, 0, &error);
      if (opened == NULL)
        g_error ("A receipt's checkpoint: %s", error->message);
      checkpoint = cw_signed_checkpoint_get_checkpoint (opened);
      cw_merkle_hash_leaf (id, CW_TX_ID_SIZE, leaf);
      if (!cw_merkle_verify_inclusion (proof->index, cw_checkpoint_get_size (checkpoint), leaf,
                                       cw_checkpoint_get_root_hash (checkpoint), proof->proof,
                                       &error))
        g_error ("A receipt's inclusion proof: %s", error->message);
    }
}

/* Mean batch size from the node's "batch: N submitted" log lines. */
static double
mean_batch (Bench *bench)
{
  g_autofree char *log_path = g_build_filename (bench->tmpdir, "node.log", NULL);
  g_autofree char *text = NULL;
  guint64 batches = 0, submitted = 0;
  const char *p;

  if (!g_file_get_contents (log_path, &text, NULL, NULL))
    return 0;

  for (p = strstr (text, "batch: "); p != NULL; p = strstr (p + 1, "batch: "))
    {
      batches++;
      submitted += g_ascii_strtoull (p + strlen ("batch: "), NULL, 10);
    }

  return batches > 0 ? (double) submitted / batches : 0;
}

static void
baseline (Bench     *bench,
          RunResult *result)
{
  Patient *patient = &bench->patients[0];
  GBytes *envelope_json = g_ptr_array_index (patient->envelopes, 1);
  g_autoptr(CwDsseEnvelope) envelope = NULL;
  g_autoptr(GBytes) payload = NULL;
  g_autoptr(GBytes) pae = NULL;
  g_autoptr(GError) error = NULL;
  guint8 signature[CW_SIGNATURE_SIZE];
  gsize len = 0;
  const guint8 *data;

  /* A grant's PAE, as the node verifies it. */
  envelope = cw_dsse_envelope_parse (g_bytes_get_data (envelope_json, NULL),
                                     g_bytes_get_size (envelope_json), &error);
  if (envelope == NULL)
    g_error ("Parsing a pre-signed envelope: %s", error->message);
  payload = cw_dsse_envelope_get_payload (envelope);
  data = g_bytes_get_data (payload, &len);
  pae = cw_dsse_pae (CW_DSSE_PAYLOAD_TYPE, data, len);
  cw_signing_key_sign (patient->key, g_bytes_get_data (pae, NULL), g_bytes_get_size (pae),
                       signature);

  result->verify_one = node_bench_verify_rate (g_bytes_get_data (pae, NULL),
                                               g_bytes_get_size (pae), signature,
                                               cw_signing_key_get_public_key (patient->key), 1,
                                               (gint64) (opt_verify_seconds * G_USEC_PER_SEC));
  result->verify_all = node_bench_verify_rate (g_bytes_get_data (pae, NULL),
                                               g_bytes_get_size (pae), signature,
                                               cw_signing_key_get_public_key (patient->key),
                                               g_get_num_processors (),
                                               (gint64) (opt_verify_seconds * G_USEC_PER_SEC));
}

static void
bench_free (Bench *bench)
{
  for (guint i = 0; i < bench->n_patients; i++)
    {
      Patient *patient = &bench->patients[i];

      g_clear_pointer (&patient->key, cw_signing_key_unref);
      g_clear_pointer (&patient->recovery, cw_signing_key_unref);
      g_clear_pointer (&patient->invite, g_free);
      g_clear_pointer (&patient->envelopes, g_ptr_array_unref);
      g_clear_pointer (&patient->ids, g_array_unref);
    }
  for (guint i = 0; i < bench->n_slots; i++)
    g_clear_pointer (&bench->slots[i].patients, g_array_unref);
  g_free (bench->patients);
  g_free (bench->slots);
  g_queue_clear (&bench->idle);
  g_clear_pointer (&bench->samples, g_ptr_array_unref);
  g_clear_pointer (&bench->sample_ids, g_array_unref);
  g_clear_pointer (&bench->sessions, g_ptr_array_unref);
  g_clear_object (&bench->database);
  g_clear_pointer (&bench->loop, g_main_loop_unref);
  g_clear_object (&bench->certificate);
  g_clear_pointer (&bench->log_key, cw_verifier_key_unref);
  g_clear_pointer (&bench->clinic_key, cw_signing_key_unref);
  if (bench->tmpdir != NULL && !opt_keep)
    {
      const char *argv[] = { "rm", "-rf", "--", bench->tmpdir, NULL };
      int status = 0;

      if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL,
                         NULL, &status, NULL) || status != 0)
        g_printerr ("Could not remove %s\n", bench->tmpdir);
    }
  else if (bench->tmpdir != NULL)
    {
      g_printerr ("  kept %s\n", bench->tmpdir);
    }
  g_free (bench->tmpdir);
  g_free (bench->dir);
  g_free (bench->clinic_key_path);
  g_free (bench->cert_path);
  g_free (bench->url);
  g_clear_pointer (&bench->tx_uri, g_uri_unref);
  g_free (bench);
}

static void
phase_clear (Phase *phase)
{
  g_clear_pointer (&phase->latencies, g_array_unref);
}

/* Fresh sessions (and so fresh connections) for the slots. */
static GPtrArray *
make_sessions (Bench *bench)
{
  GPtrArray *sessions;

  /* Several sessions, each for a few slots: libsoup 3.2 walks a session's
   * whole message queue (and its connections) for every message it
   * dispatches, so one session for 256 connections costs the load
   * generator ~7× more CPU per request than for 64, and the figures
   * measured the client instead of the node. */
  sessions = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < bench->n_slots; i += SLOTS_PER_SESSION)
    {
      guint n = MIN (SLOTS_PER_SESSION, bench->n_slots - i);
      SoupSession *session = soup_session_new_with_options ("max-conns", n + 2,
                                                            "max-conns-per-host", n + 2,
                                                            "timeout", 120,
                                                            "idle-timeout", 120,
                                                            "proxy-resolver", NULL,
                                                            "tls-database", bench->database,
                                                            NULL);

      g_ptr_array_add (sessions, session);
      for (guint j = i; j < i + n; j++)
        bench->slots[j].session = session;
    }

  return sessions;
}

static RunResult
run_once (guint run)
{
  Bench *bench = g_new0 (Bench, 1);
  Phase enroll = { "enroll", 0, 0, 0 };
  Phase max = { "max", 0, (gint64) (opt_max_seconds * G_USEC_PER_SEC),
                (gint64) (opt_warmup_seconds * G_USEC_PER_SEC) };
  Phase half = { "half", 0, (gint64) (opt_half_seconds * G_USEC_PER_SEC),
                 (gint64) (opt_warmup_seconds * G_USEC_PER_SEC) };
  Phase echo = { "echo", 0, (gint64) (opt_echo_seconds * G_USEC_PER_SEC),
                 (gint64) (opt_warmup_seconds * G_USEC_PER_SEC) };
  Phase echo_warmup = { "echo-warmup", 0, 0, 0 };
  RunResult result = { 0 };
  g_autoptr(GError) error = NULL;
  gint64 setup_started = g_get_monotonic_time ();
  guint per_patient_max;

  bench->run = run;
  bench->n_patients = opt_patients;
  bench->patients = g_new0 (Patient, bench->n_patients);
  bench->n_slots = MIN (opt_connections, opt_patients);
  bench->slots = g_new0 (Slot, bench->n_slots);
  bench->samples = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  bench->sample_ids = g_array_new (FALSE, FALSE, CW_TX_ID_SIZE);
  bench->loop = g_main_loop_new (NULL, FALSE);
  g_queue_init (&bench->idle);

  for (guint i = 0; i < bench->n_slots; i++)
    {
      bench->slots[i].bench = bench;
      bench->slots[i].patients = g_array_new (FALSE, FALSE, sizeof (guint));
    }
  for (guint i = 0; i < bench->n_patients; i++)
    g_array_append_val (bench->slots[i % bench->n_slots].patients, i);

  init_node (bench);
  make_invites (bench);
  sign_all (bench);
  start_node (bench);
  g_printerr ("run %u: node at %s, %u patients, %u connections, setup %.1f s\n", run,
              bench->url, bench->n_patients, bench->n_slots,
              (g_get_monotonic_time () - setup_started) / 1e6);

  /* Trusting only the node's certificate also spares each new connection
   * loading the system's trust store. */
  bench->database = g_tls_file_database_new (bench->cert_path, &error);
  if (bench->database == NULL)
    g_error ("Loading %s: %s", bench->cert_path, error->message);
  bench->sessions = make_sessions (bench);

  /* Enrollment also opens every connection (TLS handshakes), untimed. */
  run_phase (bench, &enroll, 1);
  result.enroll_rate = enroll.ok * (double) G_USEC_PER_SEC /
                       MAX (enroll.window_end - enroll.started, 1);
  if (enroll.errors > 0)
    g_error ("%" G_GUINT64_FORMAT " enrollments failed", enroll.errors);

  /* The baseline, with the node idle. */
  baseline (bench, &result);

  per_patient_max = (guint) (opt_cycles * 3 * 2 / 3);
  run_phase (bench, &max, per_patient_max);
  result.max_rate = phase_rate (&max);
  result.max_p50 = quantile_ms (max.latencies, 0.50);
  result.max_p99 = quantile_ms (max.latencies, 0.99);
  if (max.ok_in_window > 0)
    {
      result.node_cpu_per_tx = (max.node_cpu_end - max.node_cpu_start) / (double) max.ok_in_window;
      result.client_cpu_per_tx = (max.self_cpu_end - max.self_cpu_start) /
                                 (double) max.ok_in_window;
    }

  half.rate = result.max_rate / 2;
  result.half_target = half.rate;
  run_phase (bench, &half, G_MAXUINT);
  result.half_rate = phase_rate (&half);
  result.half_p50 = quantile_ms (half.latencies, 0.50);
  result.half_p99 = quantile_ms (half.latencies, 0.99);

  result.errors = max.errors + half.errors;
  result.retries = enroll.retries + max.retries + half.retries;

  check_samples (bench);
  stop_node (bench);
  result.batch_mean = mean_batch (bench);

  /* The ceiling: the same generator, slots and envelopes against a server
   * that does no work, on new connections (the warm-up covers their
   * handshakes). */
  if (echo.duration_us > 0)
    {
      g_autoptr(GSubprocess) echo_server = start_echo (bench, &echo.uri);
      g_autoptr(GPtrArray) node_sessions = g_steal_pointer (&bench->sessions);

      echo.echo = TRUE;
      /* Any envelope will do; none is used up. */
      for (guint i = 0; i < bench->n_patients; i++)
        {
          Patient *patient = &bench->patients[i];

          patient->next = MIN (patient->next, patient->envelopes->len - 1);
          patient->broken = FALSE;
        }
      echo.pid = (GPid) g_ascii_strtoll (g_subprocess_get_identifier (echo_server), NULL, 10);
      bench->sessions = make_sessions (bench);

      /* Every connection's TLS handshake before the clock starts, as the
       * enrollments do for the node, instead of relying on the time-based
       * warm-up alone: as many requests as the enrollments sent, since
       * libsoup opens a session's connections only as its queue grows
       * (one request per slot opened fewer than half of them). */
      echo_warmup.echo = TRUE;
      echo_warmup.per_slot = MAX (bench->n_patients / bench->n_slots, 1);
      echo_warmup.uri = echo.uri;
      echo_warmup.pid = echo.pid;
      run_phase (bench, &echo_warmup, G_MAXUINT);
      echo_warmup.uri = NULL;
      result.errors += echo_warmup.errors;

      run_phase (bench, &echo, G_MAXUINT);
      result.echo_rate = phase_rate (&echo);
      result.echo_p50 = quantile_ms (echo.latencies, 0.50);
      result.echo_p99 = quantile_ms (echo.latencies, 0.99);
      if (echo.ok_in_window > 0)
        {
          result.echo_server_cpu_per_req = (echo.node_cpu_end - echo.node_cpu_start) /
                                           (double) echo.ok_in_window;
          result.echo_client_cpu_per_req = (echo.self_cpu_end - echo.self_cpu_start) /
                                           (double) echo.ok_in_window;
        }
      result.node_to_echo = result.max_rate / MAX (result.echo_rate, 1);
      result.errors += echo.errors;
      stop_echo (echo_server);
      g_clear_pointer (&echo.uri, g_uri_unref);
    }

  g_printerr ("run %u: verify %.0f/s (1 core) %.0f/s (%u cores); max %.0f tx/s p50 %.1f ms"
              " p99 %.1f ms; half (%.0f/s) %.0f tx/s p50 %.1f ms p99 %.1f ms;"
              " node %.0f µs CPU/tx, client %.0f µs CPU/tx; %.1f submissions/batch;"
              " %" G_GUINT64_FORMAT " allowed accesses; %" G_GUINT64_FORMAT " errors, %"
              G_GUINT64_FORMAT " retries; %u receipts checked; connections opened %u/%u/%u/%u/%u;"
              " echo (%u serving threads) %.0f req/s p50 %.1f ms p99 %.1f ms, server %.0f µs"
              " CPU/req, client %.0f µs CPU/req; node/echo %.3f\n",
              run, result.verify_one, result.verify_all, g_get_num_processors (),
              result.max_rate, result.max_p50, result.max_p99, result.half_target,
              result.half_rate, result.half_p50, result.half_p99, result.node_cpu_per_tx,
              result.client_cpu_per_tx, result.batch_mean, max.allowed + half.allowed,
              result.errors, result.retries, bench->samples->len,
              enroll.handshakes, max.handshakes, half.handshakes, echo_warmup.handshakes,
              echo.handshakes, bench->serving_threads,
              result.echo_rate, result.echo_p50, result.echo_p99,
              result.echo_server_cpu_per_req, result.echo_client_cpu_per_req,
              result.node_to_echo);

  phase_clear (&enroll);
  phase_clear (&max);
  phase_clear (&half);
  phase_clear (&echo_warmup);
  phase_clear (&echo);
  bench_free (bench);

  return result;
}

/* The median of one figure over all runs. */
static double
median_of (GArray *results,
           gsize   offset)
{
  g_autoptr(GArray) values = g_array_new (FALSE, FALSE, sizeof (double));
  guint n = results->len;

  for (guint i = 0; i < n; i++)
    {
      const RunResult *result = &g_array_index (results, RunResult, i);
      double value = *(const double *) ((const char *) result + offset);

      g_array_append_val (values, value);
    }
  g_array_sort (values, compare_double);

  if (n % 2 == 1)
    return g_array_index (values, double, n / 2);

  return (g_array_index (values, double, n / 2 - 1) + g_array_index (values, double, n / 2)) / 2;
}

#define MEDIAN(results, field) median_of ((results), G_STRUCT_OFFSET (RunResult, field))

static char *
format_table (GArray *results)
{
  GString *out = g_string_new (NULL);
  double max_rate = MEDIAN (results, max_rate);
  double verify_one = MEDIAN (results, verify_one);
  double verify_all = MEDIAN (results, verify_all);
  guint64 errors = 0;
  guint64 retries = 0;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *date = g_date_time_format_iso8601 (now);
  g_autoptr(GArray) ratios = g_array_new (FALSE, FALSE, sizeof (double));
  double ratio;

  for (guint i = 0; i < results->len; i++)
    {
      const RunResult *result = &g_array_index (results, RunResult, i);
      double run_ratio = result->max_rate / MAX (result->verify_all, 1);

      errors += result->errors;
      retries += result->retries;
      g_array_append_val (ratios, run_ratio);
    }
  g_array_sort (ratios, compare_double);
  ratio = ratios->len % 2 == 1
          ? g_array_index (ratios, double, ratios->len / 2)
          : (g_array_index (ratios, double, ratios->len / 2 - 1) +
             g_array_index (ratios, double, ratios->len / 2)) / 2;

  g_string_append_printf (out,
                          "Medians of %u runs (%s; %u patients, %u connections, %d cycles,"
                          " %u cores):\n\n",
                          results->len, date, opt_patients, MIN (opt_connections, opt_patients),
                          opt_cycles, g_get_num_processors ());
  g_string_append (out, "| figure | value | target |\n|---|---|---|\n");
  g_string_append_printf (out, "| sustained durable tx/s (max load) | %.0f | ≥ 10,000 |\n",
                          max_rate);
  g_string_append_printf (out, "| p50 / p99 latency at max load | %.1f / %.1f ms | |\n",
                          MEDIAN (results, max_p50), MEDIAN (results, max_p99));
  g_string_append_printf (out, "| half load: offered / achieved tx/s | %.0f / %.0f | |\n",
                          MEDIAN (results, half_target), MEDIAN (results, half_rate));
  g_string_append_printf (out, "| p50 / p99 latency at half load | %.1f / %.1f ms |"
                          " ≤ 15 / ≤ 50 ms |\n",
                          MEDIAN (results, half_p50), MEDIAN (results, half_p99));
  g_string_append_printf (out, "| raw Ed25519 verify/s, 1 core | %.0f | |\n", verify_one);
  g_string_append_printf (out, "| raw Ed25519 verify/s, %u cores | %.0f | |\n",
                          g_get_num_processors (), verify_all);
  g_string_append_printf (out, "| throughput / raw verify rate (all cores) | %.3f | ≥ 0.5 |\n",
                          ratio);
  g_string_append_printf (out, "| throughput / raw verify rate (1 core) | %.3f | |\n",
                          max_rate / MAX (verify_one, 1));
  g_string_append_printf (out, "| node CPU per tx at max load | %.0f µs | |\n",
                          MEDIAN (results, node_cpu_per_tx));
  g_string_append_printf (out, "| load generator CPU per tx at max load | %.0f µs | |\n",
                          MEDIAN (results, client_cpu_per_tx));
  if (MEDIAN (results, echo_rate) > 0)
    {
      g_string_append_printf (out, "| echo server ceiling req/s (same generator) | %.0f | |\n",
                              MEDIAN (results, echo_rate));
      g_string_append_printf (out, "| p50 / p99 latency against the echo server | %.1f / %.1f ms"
                              " | |\n", MEDIAN (results, echo_p50), MEDIAN (results, echo_p99));
      g_string_append_printf (out, "| node tx/s / echo req/s | %.3f | |\n",
                              MEDIAN (results, node_to_echo));
      g_string_append_printf (out, "| echo server CPU per request | %.0f µs | |\n",
                              MEDIAN (results, echo_server_cpu_per_req));
      g_string_append_printf (out, "| load generator CPU per request against the echo server |"
                              " %.0f µs | |\n", MEDIAN (results, echo_client_cpu_per_req));
    }
  g_string_append_printf (out, "| submissions per batch (mean, whole run) | %.1f | |\n",
                          MEDIAN (results, batch_mean));
  g_string_append_printf (out, "| enrollments/s (untimed warm-up, for scale) | %.0f | |\n",
                          MEDIAN (results, enroll_rate));
  g_string_append_printf (out, "| errors / 503 retries (all runs) | %" G_GUINT64_FORMAT " / %"
                          G_GUINT64_FORMAT " | 0 / - |\n", errors, retries);

  g_string_append (out, "\nPer run: tx/s, p50/p99 max, p50/p99 half, verify 1/all,"
                   " echo req/s, node/echo, node/echo/client µs CPU per request:\n\n");
  for (guint i = 0; i < results->len; i++)
    {
      const RunResult *result = &g_array_index (results, RunResult, i);

      g_string_append_printf (out, "- run %u: %.0f tx/s, %.1f/%.1f ms, %.1f/%.1f ms,"
                              " %.0f/%.0f verify/s, %.0f echo/s, %.3f, %.0f/%.0f/%.0f µs\n",
                              i + 1, result->max_rate, result->max_p50,
                              result->max_p99, result->half_p50, result->half_p99,
                              result->verify_one, result->verify_all, result->echo_rate,
                              result->node_to_echo, result->node_cpu_per_tx,
                              result->echo_server_cpu_per_req, result->client_cpu_per_tx);
    }

  return g_string_free (out, FALSE);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) results = g_array_new (FALSE, FALSE, sizeof (RunResult));
  g_autofree char *table = NULL;

  setlocale (LC_ALL, "");
  g_option_context_set_summary (context,
                                "Load generator for consent-node: durable tx/s and latency over "
                                "HTTPS on loopback, against raw Ed25519 verifications/s.");
  g_option_context_add_main_entries (context, option_entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }

  if (opt_echo_seconds < 0)
    opt_echo_seconds = opt_max_seconds;

  if ((opt_echo_seconds > 0 && opt_echo_seconds <= opt_warmup_seconds) ||
      opt_serving_threads < 0 || opt_runs < 1 || opt_patients < 1 || opt_connections < 1 || opt_cycles < 2 ||
      opt_max_seconds <= opt_warmup_seconds || opt_half_seconds <= opt_warmup_seconds)
    {
      g_printerr ("Out-of-range option; see --help\n");
      return 2;
    }

  if (sodium_init () < 0)
    g_error ("libsodium failed to initialize");

  for (int run = 1; run <= opt_runs; run++)
    {
      RunResult result = run_once (run);

      g_array_append_val (results, result);
    }

  table = format_table (results);
  g_print ("\n%s", table);

  if (opt_output != NULL && !g_file_set_contents (opt_output, table, -1, &error))
    {
      g_printerr ("Writing %s: %s\n", opt_output, error->message);
      return 1;
    }

  return 0;
}

/* witness-test-util.c: helpers for the witness tests: real `consent-node
 * witness` directories and servers, and a log built in the test that signs
 * c2sp.org/tlog-checkpoint notes and proves consistency. */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#include "cw-checkpoint.h"
#include "cw-encoding.h"
#include "cw-witness.h"
#include "node-test-util.h"
#include "witness-test-util.h"

/* Processes still running, killed at exit whatever happened to the test. */
static GPtrArray *running;

static void
kill_running (void)
{
  for (guint i = 0; running != NULL && i < running->len; i++)
    g_subprocess_force_exit (g_ptr_array_index (running, i));
}

static void
child_setup (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

TestWitness *
test_witness_new (const char *name)
{
  g_autoptr(NodeRun) run = NULL;
  g_autoptr(GError) error = NULL;
  TestWitness *witness = g_new0 (TestWitness, 1);

  witness->tmpdir = node_test_make_tmpdir ();
  witness->dir = g_build_filename (witness->tmpdir, "witness", NULL);
  witness->name = g_strdup (name);

  run = node_test_run ("witness", "init", "--dir", witness->dir, "--name", name,
                       "--listen", "127.0.0.1:0", NULL);
  g_assert_cmpint (run->exit_status, ==, 0);

  witness->verifier_key = node_test_get_field (run->out, "verifier-key");
  witness->pin = node_test_get_field (run->out, "tls-pin");
  g_assert_nonnull (witness->verifier_key);
  g_assert_nonnull (witness->pin);
  witness->key = cw_verifier_key_new_from_string (witness->verifier_key, &error);
  g_assert_no_error (error);
  witness->cert_path = g_build_filename (witness->dir, "tls-cert.pem", NULL);
  witness->session = node_test_session_new (witness->cert_path);

  return witness;
}

void
test_witness_free (TestWitness *witness)
{
  if (witness == NULL)
    return;

  if (witness->process != NULL)
    {
      if (g_subprocess_get_identifier (witness->process) != NULL)
        {
          g_subprocess_force_exit (witness->process);
          g_subprocess_wait (witness->process, NULL, NULL);
        }
      g_ptr_array_remove (running, witness->process);
      g_clear_object (&witness->process);
    }

  g_clear_object (&witness->session);
  g_clear_pointer (&witness->key, cw_verifier_key_unref);
  node_test_remove_tree (witness->tmpdir);
  g_free (witness->tmpdir);
  g_free (witness->dir);
  g_free (witness->name);
  g_free (witness->verifier_key);
  g_free (witness->pin);
  g_free (witness->cert_path);
  g_free (witness->url);
  g_free (witness);
}

void
test_witness_add_log (TestWitness   *witness,
                      const char    *origin,
                      CwVerifierKey *log_key)
{
  g_autofree char *key = cw_verifier_key_to_string (log_key);
  g_autoptr(NodeRun) run = node_test_run ("witness", "add-log", "--dir", witness->dir,
                                          "--origin", origin, "--key", key, NULL);

  g_assert_cmpint (run->exit_status, ==, 0);
}

void
test_witness_start (TestWitness *witness)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GPtrArray) argv = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;

  g_assert_null (witness->process);

  if (running == NULL)
    {
      running = g_ptr_array_new ();
      atexit (kill_running);
    }

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  argv = node_test_argv_new ();
  g_ptr_array_add (argv, (gpointer) "witness");
  g_ptr_array_add (argv, (gpointer) "serve");
  g_ptr_array_add (argv, (gpointer) "--dir");
  g_ptr_array_add (argv, witness->dir);
  g_ptr_array_add (argv, NULL);
  witness->process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata,
                                                   &error);
  g_assert_no_error (error);
  g_ptr_array_add (running, witness->process);

  /* The first line says where it listens; EOF means it failed to start. */
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (witness->process));
  line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, "listening on https://127.0.0.1:"));

  g_free (witness->url);
  witness->url = g_strdup (line + strlen ("listening on "));
  g_test_message ("witness %s at %s", witness->name, witness->url);
}

int
test_witness_stop (TestWitness *witness)
{
  g_autoptr(GError) error = NULL;
  int status = -1;

  g_assert_nonnull (witness->process);

  g_subprocess_send_signal (witness->process, SIGTERM);
  g_subprocess_wait (witness->process, NULL, &error);
  g_assert_no_error (error);

  if (g_subprocess_get_if_exited (witness->process))
    status = g_subprocess_get_exit_status (witness->process);

  g_ptr_array_remove (running, witness->process);
  g_clear_object (&witness->process);
  /* A restarted server has a new certificate session state and port. */
  g_clear_object (&witness->session);
  witness->session = node_test_session_new (witness->cert_path);

  return status;
}

guint
test_witness_post (TestWitness  *witness,
                   GBytes       *body,
                   GBytes      **out_body,
                   char        **out_content_type)
{
  g_autofree char *url = g_strconcat (witness->url, CW_WITNESS_ADD_CHECKPOINT_PATH, NULL);

  return node_test_request (witness->session, "POST", url, body, FALSE, out_body,
                            out_content_type);
}

void
test_witness_get_state (TestWitness  *witness,
                        const char   *origin,
                        guint64      *out_size,
                        char        **out_root)
{
  g_autoptr(NodeRun) run = node_test_run ("witness", "status", "--dir", witness->dir, NULL);
  g_auto(GStrv) lines = NULL;
  g_autofree char *prefix = g_strdup_printf ("log: %s ", origin);

  g_assert_cmpint (run->exit_status, ==, 0);

  lines = g_strsplit (run->out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) parts = NULL;

      if (!g_str_has_prefix (lines[i], prefix))
        continue;

      parts = g_strsplit (lines[i] + strlen (prefix), " ", -1);
      g_assert_cmpuint (g_strv_length (parts), ==, 2);
      g_assert_true (cw_parse_uint64 (parts[0], -1, out_size));
      if (out_root != NULL)
        *out_root = g_strdup (parts[1]);
      return;
    }

  g_assert_not_reached ();
}

guint64
test_witness_get_evidence (TestWitness *witness)
{
  g_autoptr(NodeRun) run = node_test_run ("witness", "status", "--dir", witness->dir, NULL);
  g_autofree char *text = node_test_get_field (run->out, "evidence");
  guint64 count = 0;

  g_assert_nonnull (text);
  g_assert_true (cw_parse_uint64 (text, -1, &count));

  return count;
}

static void
leaf_data (guint8   seed,
           guint64  index,
           guint8   out[32])
{
  guint8 input[9];

  input[0] = seed;
  for (guint i = 0; i < 8; i++)
    input[1 + i] = (index >> (56 - 8 * i)) & 0xff;
  cw_sha256 (input, sizeof input, out);
}

TestLog *
test_log_new (const char *origin)
{
  g_autoptr(GError) error = NULL;
  TestLog *log = g_new0 (TestLog, 1);

  log->origin = g_strdup (origin);
  log->key = cw_signing_key_generate (origin, CW_KEY_TYPE_ED25519, &error);
  g_assert_no_error (error);
  log->tree = cw_log_tree_new ();
  log->leaves = g_byte_array_new ();
  log->seed = 1;

  return log;
}

TestLog *
test_log_fork (TestLog *base,
               guint64  size)
{
  TestLog *log = g_new0 (TestLog, 1);

  g_assert_cmpuint (size, <=, cw_log_tree_get_size (base->tree));

  log->origin = g_strdup (base->origin);
  log->key = cw_signing_key_ref (base->key);
  log->tree = cw_log_tree_new ();
  log->leaves = g_byte_array_new ();
  log->seed = base->seed + 1;
  g_byte_array_append (log->leaves, base->leaves->data, size * 32);
  cw_log_tree_append_many (log->tree, base->leaves->data, 32, size);

  return log;
}

void
test_log_free (TestLog *log)
{
  if (log == NULL)
    return;

  g_free (log->origin);
  g_clear_pointer (&log->key, cw_signing_key_unref);
  g_clear_pointer (&log->tree, cw_log_tree_free);
  g_clear_pointer (&log->leaves, g_byte_array_unref);
  g_free (log);
}

void
test_log_append (TestLog *log,
                 guint    n)
{
  for (guint i = 0; i < n; i++)
    {
      guint8 data[32];

      leaf_data (log->seed, cw_log_tree_get_size (log->tree), data);
      g_byte_array_append (log->leaves, data, sizeof data);
      cw_log_tree_append (log->tree, data, sizeof data);
    }
}

CwVerifierKey *
test_log_get_verifier (TestLog *log)
{
  return cw_signing_key_get_verifier (log->key);
}

char *
test_log_sign (TestLog *log,
               guint64  size)
{
  g_autoptr(CwCheckpoint) checkpoint = NULL;
  g_autoptr(GError) error = NULL;
  guint8 root[CW_MERKLE_HASH_SIZE];
  char *note;

  cw_log_tree_get_root (log->tree, size, root, &error);
  g_assert_no_error (error);
  checkpoint = cw_checkpoint_new (log->origin, size, root, NULL, &error);
  g_assert_no_error (error);
  note = cw_checkpoint_sign (checkpoint, log->key, &error);
  g_assert_no_error (error);

  return note;
}

GPtrArray *
test_log_prove (TestLog *log,
                guint64  old_size,
                guint64  new_size)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *proof;

  /* Sizes without a proof (or none that makes sense) send an empty one. */
  if (old_size == 0 || old_size >= new_size)
    return cw_merkle_proof_new ();

  proof = cw_log_tree_prove_consistency (log->tree, old_size, new_size, &error);
  g_assert_no_error (error);

  return proof;
}

GBytes *
test_log_request (TestLog *log,
                  guint64  old_size,
                  guint64  new_size)
{
  g_autoptr(GPtrArray) proof = test_log_prove (log, old_size, new_size);
  g_autofree char *note = test_log_sign (log, new_size);

  return cw_witness_request_format (old_size, proof, note);
}

GPtrArray *
test_log_proof_func (guint64    old_size,
                     guint64    new_size,
                     gpointer   user_data,
                     GError   **error)
{
  TestLog *log = user_data;

  return cw_log_tree_prove_consistency (log->tree, old_size, new_size, error);
}

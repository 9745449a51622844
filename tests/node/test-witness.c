/* test-witness.c: `consent-node witness` over real HTTPS on 127.0.0.1:
 * c2sp.org/tlog-witness add-checkpoint, its status codes, history rewrites,
 * malformed bodies, restarts, a clean shutdown, and the witness commands. */
#include "config.h"

#include <signal.h>
#include <string.h>

#include "cw-checkpoint.h"
#include "cw-cosignature.h"
#include "cw-encoding.h"
#include "cw-witness.h"
#include "node-test-util.h"
#include "witness-test-util.h"

#define ORIGIN "consent.example.org/log"

static char *
proof_lines (GPtrArray *proof)
{
  GString *lines = g_string_new (NULL);

  for (guint i = 0; i < proof->len; i++)
    {
      gsize len = 0;
      const guint8 *hash = g_bytes_get_data (g_ptr_array_index (proof, i), &len);
      g_autofree char *b64 = cw_base64_encode (hash, len);

      g_string_append_printf (lines, "%s\n", b64);
    }

  return g_string_free (lines, FALSE);
}

/* Checks that @line is a valid cosignature by @witness on @note. */
static void
assert_cosigned (TestWitness *witness,
                 TestLog     *log,
                 const char  *note,
                 GBytes      *line)
{
  g_autoptr(CwSignedCheckpoint) opened = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *cosigned = NULL;
  gsize len = 0;
  const char *text = g_bytes_get_data (line, &len);
  guint64 time = 0;

  g_assert_true (len > 0 && text[len - 1] == '\n');
  cosigned = g_strdup_printf ("%s%.*s", note, (int) len, text);
  opened = cw_signed_checkpoint_open (cosigned, strlen (cosigned), test_log_get_verifier (log),
                                      &witness->key, 1, &error);
  g_assert_no_error (error);
  g_assert_true (cw_signed_checkpoint_is_cosigned_by (opened, witness->key, &time));
  g_assert_cmpuint (time, >, 0);
  cw_signed_checkpoint_check_quorum (opened, 1, &error);
  g_assert_no_error (error);
}

static guint
post (TestWitness  *witness,
      GBytes       *body,
      GBytes      **out_body,
      char        **out_type)
{
  return test_witness_post (witness, body, out_body, out_type);
}

/* Sends @log's checkpoint of @new_size from @old_size and expects 200. */
static void
cosign (TestWitness *witness,
        TestLog     *log,
        guint64      old_size,
        guint64      new_size)
{
  g_autoptr(GBytes) body = test_log_request (log, old_size, new_size);
  g_autoptr(GBytes) response = NULL;
  g_autofree char *note = test_log_sign (log, new_size);
  g_autofree char *type = NULL;

  g_assert_cmpuint (post (witness, body, &response, &type), ==, 200);
  assert_cosigned (witness, log, note, response);
}

static void
assert_state (TestWitness *witness,
              TestLog     *log,
              guint64      size)
{
  g_autofree char *root = NULL;
  g_autofree char *expected = NULL;
  guint8 hash[CW_MERKLE_HASH_SIZE];
  guint64 actual = 0;

  test_witness_get_state (witness, log->origin, &actual, &root);
  g_assert_cmpuint (actual, ==, size);
  g_assert_true (cw_log_tree_get_root (log->tree, size, hash, NULL));
  expected = cw_base64_encode (hash, sizeof hash);
  g_assert_cmpstr (root, ==, expected);
}

static void
assert_size_conflict (TestWitness *witness,
                      GBytes      *body,
                      const char  *expected_size)
{
  g_autoptr(GBytes) response = NULL;
  g_autofree char *type = NULL;
  g_autofree char *text = NULL;

  g_assert_cmpuint (post (witness, body, &response, &type), ==, 409);
  g_assert_cmpstr (type, ==, CW_WITNESS_SIZE_CONTENT_TYPE);
  text = g_strndup (g_bytes_get_data (response, NULL), g_bytes_get_size (response));
  g_assert_cmpstr (text, ==, expected_size);
}

static void
test_witness_cosigns_and_catches_up (void)
{
  g_autoptr(TestWitness) witness = test_witness_new ("witness.example.org");
  g_autoptr(TestLog) log = test_log_new (ORIGIN);
  g_autoptr(GBytes) body = NULL;

  test_witness_add_log (witness, ORIGIN, test_log_get_verifier (log));
  test_witness_start (witness);
  assert_state (witness, log, 0);

  test_log_append (log, 12);

  /* First contact: old 0, empty proof. */
  cosign (witness, log, 0, 3);
  assert_state (witness, log, 3);

  /* A log that lost track sends old 0 and learns the size. */
  body = test_log_request (log, 0, 8);
  assert_size_conflict (witness, body, "3\n");
  g_clear_pointer (&body, g_bytes_unref);

  cosign (witness, log, 3, 8);
  assert_state (witness, log, 8);

  /* The same checkpoint again is cosigned again, and changes nothing. */
  cosign (witness, log, 8, 8);
  cosign (witness, log, 8, 12);
  assert_state (witness, log, 12);

  g_assert_cmpint (test_witness_stop (witness), ==, 0);
}

static void
test_witness_refuses_rewrites (void)
{
  g_autoptr(TestWitness) witness = test_witness_new ("witness.example.org");
  g_autoptr(TestLog) log = test_log_new (ORIGIN);
  g_autoptr(TestLog) fork = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GBytes) response = NULL;
  g_autofree char *type = NULL;

  test_witness_add_log (witness, ORIGIN, test_log_get_verifier (log));
  test_witness_start (witness);
  test_log_append (log, 8);
  cosign (witness, log, 0, 8);

  /* The same key signs a different history from leaf 5 on. */
  fork = test_log_fork (log, 5);
  test_log_append (fork, 7);

  /* A different root for the size it cosigned. */
  body = test_log_request (fork, 8, 8);
  g_assert_cmpuint (post (witness, body, &response, &type), ==, 409);
  g_assert_cmpstr (type, !=, CW_WITNESS_SIZE_CONTENT_TYPE);
  g_clear_pointer (&body, g_bytes_unref);
  g_clear_pointer (&response, g_bytes_unref);

  /* A larger tree of the fork, with the fork's own proof from size 8. */
  body = test_log_request (fork, 8, 12);
  g_assert_cmpuint (post (witness, body, &response, NULL), ==, 422);
  g_clear_pointer (&body, g_bytes_unref);
  g_clear_pointer (&response, g_bytes_unref);

  /* A smaller tree. */
  body = test_log_request (log, 8, 5);
  g_assert_cmpuint (post (witness, body, &response, NULL), ==, 400);
  g_clear_pointer (&body, g_bytes_unref);
  g_clear_pointer (&response, g_bytes_unref);
  body = test_log_request (log, 5, 5);
  assert_size_conflict (witness, body, "8\n");
  g_clear_pointer (&body, g_bytes_unref);

  /* Nothing moved, and both contradicting requests are kept. */
  assert_state (witness, log, 8);
  g_assert_cmpuint (test_witness_get_evidence (witness), ==, 2);

  /* The real log goes on as if nothing happened. */
  test_log_append (log, 2);
  cosign (witness, log, 8, 10);
  g_assert_cmpint (test_witness_stop (witness), ==, 0);
}

typedef struct
{
  const char *what;
  char *body;
  gsize len;      /* 0: strlen (body) */
  guint status;
} BadCase;

static void
add_case (GArray     *cases,
          const char *what,
          guint       status,
          char       *body)
{
  BadCase c = { what, body, strlen (body), status };

  g_array_append_val (cases, c);
}

static void
test_witness_bad_input (void)
{
  g_autoptr(TestWitness) witness = test_witness_new ("witness.example.org");
  g_autoptr(TestLog) log = test_log_new (ORIGIN);
  g_autoptr(TestLog) other = test_log_new ("other.example.org/log");
  g_autoptr(TestLog) impostor = test_log_new (ORIGIN);
  g_autoptr(TestLog) unknown = test_log_new ("unknown.example.org/log");
  g_autoptr(TestLog) fork = NULL;
  g_autoptr(GArray) cases = g_array_new (FALSE, FALSE, sizeof (BadCase));
  g_autoptr(GPtrArray) proof = NULL;
  g_autoptr(GPtrArray) short_proof = NULL;
  g_autofree char *note = NULL;
  g_autofree char *note5 = NULL;
  g_autofree char *lines = NULL;
  g_autofree char *short_lines = NULL;
  g_autofree char *tampered = NULL;
  g_autofree char *bad_text_note = NULL;
  g_autofree char *many = NULL;
  g_autofree char *fork8 = NULL;
  g_autofree char *other_note = NULL;
  g_autofree char *impostor_note = NULL;
  g_autofree char *text_only = NULL;
  g_autofree char *crlf = NULL;
  g_autofree char *unknown_note = NULL;
  g_autofree char *wrong_lines = NULL;
  GString *builder;
  char *sig;

  test_witness_add_log (witness, ORIGIN, test_log_get_verifier (log));
  test_witness_add_log (witness, "other.example.org/log", test_log_get_verifier (other));
  test_witness_start (witness);
  test_log_append (log, 12);
  cosign (witness, log, 0, 8);

  note = test_log_sign (log, 12);
  note5 = test_log_sign (log, 5);
  proof = test_log_prove (log, 8, 12);
  lines = proof_lines (proof);
  short_proof = test_log_prove (log, 8, 12);
  g_ptr_array_remove_index (short_proof, short_proof->len - 1);
  short_lines = proof_lines (short_proof);

  /* The log's own signature, with one base64 character changed. */
  tampered = g_strdup (note);
  sig = strrchr (tampered, ' ') + 30;
  *sig = *sig == 'A' ? 'B' : 'A';

  /* A validly signed note whose text is not a checkpoint. */
  {
    CwSigningKey *signers[] = { log->key };
    g_autoptr(GError) error = NULL;

    bad_text_note = cw_note_sign (ORIGIN "\n012\nAAAA\n", signers, 1, &error);
    g_assert_no_error (error);
  }

  builder = g_string_new ("old 8\n");
  for (guint i = 0; i < 64; i++)
    g_string_append (builder, "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n");
  g_string_append_printf (builder, "\n%s", note);
  many = g_string_free (builder, FALSE);

  fork = test_log_fork (log, 5);
  test_log_append (fork, 3);
  fork8 = test_log_sign (fork, 8);
  test_log_append (other, 3);
  other_note = test_log_sign (other, 3);
  test_log_append (impostor, 12);
  impostor_note = test_log_sign (impostor, 12);
  text_only = g_strndup (note, strstr (note, "\n\n") - note + 1);
  test_log_append (unknown, 3);
  unknown_note = test_log_sign (unknown, 3);
  builder = g_string_new (NULL);
  for (guint i = 0; i < proof->len; i++)
    g_string_append (builder, "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n");
  wrong_lines = g_string_free (builder, FALSE);
  crlf = g_strdup_printf ("old 8\r\n%s\r\n%s", lines, note);

  add_case (cases, "empty body", 400, g_strdup (""));
  add_case (cases, "no newline after old", 400, g_strdup ("old 8"));
  add_case (cases, "two spaces", 400, g_strdup_printf ("old  8\n%s\n%s", lines, note));
  add_case (cases, "leading zero", 400, g_strdup_printf ("old 08\n%s\n%s", lines, note));
  add_case (cases, "negative", 400, g_strdup_printf ("old -1\n\n%s", note));
  add_case (cases, "trailing junk", 400, g_strdup_printf ("old 8x\n%s\n%s", lines, note));
  add_case (cases, "upper case", 400, g_strdup_printf ("OLD 8\n%s\n%s", lines, note));
  add_case (cases, "overflow", 400,
            g_strdup_printf ("old 18446744073709551616\n%s\n%s", lines, note));
  add_case (cases, "CRLF", 400, g_strdup (crlf));
  add_case (cases, "no blank line", 400, g_strdup_printf ("old 8\n%s%s", lines, note));
  add_case (cases, "proof not base64", 400, g_strdup_printf ("old 8\n!!!!\n\n%s", note));
  add_case (cases, "proof hash too short", 400,
            g_strdup_printf ("old 8\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==\n\n%s", note));
  add_case (cases, "proof line with a space", 400,
            g_strdup_printf ("old 8\n 47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\n%s", note));
  add_case (cases, "non-canonical base64", 400,
            g_strdup_printf ("old 8\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFV=\n\n%s", note));
  add_case (cases, "64 proof lines", 400, g_strdup (many));
  add_case (cases, "no checkpoint", 400, g_strdup_printf ("old 8\n%s\n", lines));
  add_case (cases, "checkpoint without signatures", 400,
            g_strdup_printf ("old 8\n%s\n%s", lines, text_only));
  add_case (cases, "signed text that is no checkpoint", 400,
            g_strdup_printf ("old 8\n\n%s", bad_text_note));
  add_case (cases, "text after the signatures", 400,
            g_strdup_printf ("old 8\n%s\n%sextra", lines, note));
  add_case (cases, "old above the checkpoint size", 400,
            g_strdup_printf ("old 8\n\n%s", note5));
  add_case (cases, "unknown origin", 404, g_strdup_printf ("old 0\n\n%s", unknown_note));
  add_case (cases, "another log's key only", 403,
            g_strdup_printf ("old 8\n%s\n%s", lines, impostor_note));
  add_case (cases, "tampered log signature", 403,
            g_strdup_printf ("old 8\n%s\n%s", lines, tampered));
  add_case (cases, "old size not the cosigned one", 409,
            g_strdup_printf ("old 9\n%s\n%s", lines, note));
  add_case (cases, "old zero", 409, g_strdup_printf ("old 0\n\n%s", note));
  add_case (cases, "same size, other root", 409, g_strdup_printf ("old 8\n\n%s", fork8));
  add_case (cases, "proof too short", 422, g_strdup_printf ("old 8\n%s\n%s", short_lines, note));
  add_case (cases, "proof too long", 422,
            g_strdup_printf ("old 8\n%s47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\n%s",
                             lines, note));
  add_case (cases, "wrong hashes", 422, g_strdup_printf ("old 8\n%s\n%s", wrong_lines, note));
  add_case (cases, "empty proof", 422, g_strdup_printf ("old 8\n\n%s", note));
  add_case (cases, "other log, old size not its own", 409,
            g_strdup_printf ("old 2\n\n%s", other_note));
  {
    g_autofree char *fork_note = test_log_sign (log, 8);

    add_case (cases, "proof between equal sizes", 422,
              g_strdup_printf ("old 8\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\n%s",
                               fork_note));
  }

  /* A NUL byte inside the checkpoint. */
  {
    BadCase c = { "NUL byte", NULL, 0, 400 };
    g_autofree char *text = g_strdup_printf ("old 8\n%s\n%s", lines, note);

    c.len = strlen (text);
    c.body = g_steal_pointer (&text);
    c.body[c.len - 3] = '\0';
    g_array_append_val (cases, c);
  }

  g_assert_cmpuint (cases->len, >=, 20);

  for (guint i = 0; i < cases->len; i++)
    {
      BadCase *c = &g_array_index (cases, BadCase, i);
      g_autoptr(GBytes) body = g_bytes_new_take (c->body, c->len);
      g_autoptr(GBytes) response = NULL;
      guint status;

      c->body = NULL;
      status = post (witness, body, &response, NULL);
      g_test_message ("%s → %u", c->what, status);
      g_assert_cmpuint (status, ==, c->status);
    }

  /* None of it changed anything. */
  assert_state (witness, log, 8);
  {
    guint64 size = 1;

    test_witness_get_state (witness, "other.example.org/log", &size, NULL);
    g_assert_cmpuint (size, ==, 0);
  }

  cosign (witness, log, 8, 12);
  g_assert_cmpint (test_witness_stop (witness), ==, 0);
}

static void
test_witness_http (void)
{
  g_autoptr(TestWitness) witness = test_witness_new ("witness.example.org");
  g_autoptr(TestLog) log = test_log_new (ORIGIN);
  g_autoptr(GBytes) response = NULL;
  g_autoptr(GBytes) big = NULL;
  g_autofree char *url = NULL;
  g_autofree char *other = NULL;
  char *filler;

  test_witness_add_log (witness, ORIGIN, test_log_get_verifier (log));
  test_witness_start (witness);
  url = g_strconcat (witness->url, CW_WITNESS_ADD_CHECKPOINT_PATH, NULL);
  other = g_strconcat (witness->url, "/witness/other", NULL);

  g_assert_cmpuint (node_test_request (witness->session, "GET", url, NULL, FALSE, NULL, NULL),
                    ==, 405);
  g_assert_cmpuint (node_test_request (witness->session, "POST", other,
                                       NULL, FALSE, NULL, NULL), ==, 404);

  /* Larger than the cap, announced and chunked. */
  filler = g_malloc (128 * 1024);
  memset (filler, 'A', 128 * 1024);
  memcpy (filler, "old 0\n", 6);
  big = g_bytes_new_take (filler, 128 * 1024);
  g_assert_cmpuint (node_test_request (witness->session, "POST", url, big, FALSE, &response,
                                       NULL), ==, 413);
  g_clear_pointer (&response, g_bytes_unref);
  g_assert_cmpuint (node_test_request (witness->session, "POST", url, big, TRUE, &response,
                                       NULL), ==, 413);

  /* Still serving. */
  test_log_append (log, 2);
  cosign (witness, log, 0, 2);
  g_assert_cmpint (test_witness_stop (witness), ==, 0);
}

static void
test_witness_restart (void)
{
  g_autoptr(TestWitness) witness = test_witness_new ("witness.example.org");
  g_autoptr(TestLog) log = test_log_new (ORIGIN);
  g_autoptr(TestLog) fork = NULL;
  g_autoptr(GBytes) body = NULL;

  test_witness_add_log (witness, ORIGIN, test_log_get_verifier (log));
  test_witness_start (witness);
  test_log_append (log, 9);
  cosign (witness, log, 0, 6);
  g_assert_cmpint (test_witness_stop (witness), ==, 0);

  test_witness_start (witness);
  assert_state (witness, log, 6);
  body = test_log_request (log, 0, 9);
  assert_size_conflict (witness, body, "6\n");
  g_clear_pointer (&body, g_bytes_unref);

  /* What it cosigned before the restart still binds it. */
  fork = test_log_fork (log, 4);
  test_log_append (fork, 5);
  body = test_log_request (fork, 6, 9);
  g_assert_cmpuint (post (witness, body, NULL, NULL), ==, 422);

  cosign (witness, log, 6, 9);
  g_assert_cmpint (test_witness_stop (witness), ==, 0);
  assert_state (witness, log, 9);
}

/* SIGTERM while a request is in progress, its body held back: the witness
 * stops accepting connections, still answers that request (503, nothing
 * cosigned, the connection closed after it) and exits 0. */
static void
test_witness_shutdown (void)
{
  g_autoptr(TestWitness) witness = test_witness_new ("witness.example.org");
  g_autoptr(TestLog) log = test_log_new (ORIGIN);
  g_autoptr(NodeHeldRequest) held = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GBytes) answer = NULL;
  g_autofree char *url = NULL;
  g_autoptr(GError) error = NULL;
  gboolean closed = FALSE;

  test_witness_add_log (witness, ORIGIN, test_log_get_verifier (log));
  test_witness_start (witness);
  test_log_append (log, 5);
  body = test_log_request (log, 0, 5);
  url = g_strconcat (witness->url, CW_WITNESS_ADD_CHECKPOINT_PATH, NULL);
  held = node_test_held_request_start (url, witness->cert_path, body);

  /* The witness serves on one thread: once its socket refuses
   * connections, its drain began before it reads anything more. */
  g_subprocess_send_signal (witness->process, SIGTERM);
  while (!node_test_connection_refused (witness->url))
    g_usleep (10 * G_TIME_SPAN_MILLISECOND);

  g_assert_cmpuint (node_test_held_request_finish (held, &answer, &closed), ==, 503);
  g_assert_true (closed);
  g_subprocess_wait (witness->process, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (test_witness_stop (witness), ==, 0);

  /* Nothing was cosigned: the witness still takes the log from 0. */
  test_witness_start (witness);
  cosign (witness, log, 0, 5);
  g_assert_cmpint (test_witness_stop (witness), ==, 0);
}

static void
test_witness_commands (void)
{
  g_autofree char *tmp = node_test_make_tmpdir ();
  g_autofree char *dir = g_build_filename (tmp, "w", NULL);
  g_autofree char *key_path = g_build_filename (dir, "witness.key", NULL);
  g_autofree char *conf_path = g_build_filename (dir, "witness.conf", NULL);
  g_autofree char *db_path = g_build_filename (dir, "witness.db", NULL);
  g_autofree char *key_text = NULL;
  g_autofree char *log_key = NULL;
  g_autoptr(TestLog) log = test_log_new (ORIGIN);
  g_autoptr(CwVerifierKey) key = NULL;
  g_autoptr(NodeRun) run = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *verifier = NULL;
  g_autofree char *pin = NULL;

  run = node_test_run ("witness", "init", "--dir", dir, "--name", "w.example.org",
                       "--listen", "127.0.0.1:0", NULL);
  g_assert_cmpint (run->exit_status, ==, 0);
  verifier = node_test_get_field (run->out, "verifier-key");
  key = cw_verifier_key_new_from_string (verifier, &error);
  g_assert_no_error (error);
  g_assert_cmpint (cw_verifier_key_get_key_type (key), ==, CW_KEY_TYPE_COSIGNATURE_V1);
  pin = node_test_get_field (run->out, "tls-pin");
  g_assert_nonnull (pin);
  g_assert_cmpint (node_test_file_mode (dir), ==, 0700);
  g_assert_cmpint (node_test_file_mode (key_path), ==, 0600);
  g_assert_cmpint (node_test_file_mode (conf_path), ==, 0600);
  g_assert_cmpint (node_test_file_mode (db_path), ==, 0600);
  g_assert_true (g_file_get_contents (key_path, &key_text, NULL, NULL));
  g_assert_true (g_str_has_prefix (key_text, "PRIVATE+KEY+w.example.org+"));
  g_clear_pointer (&run, node_run_free);

  /* Never over an existing witness, never with a bad name. */
  run = node_test_run ("witness", "init", "--dir", dir, "--name", "w.example.org", NULL);
  g_assert_cmpint (run->exit_status, ==, 1);
  g_clear_pointer (&run, node_run_free);
  run = node_test_run ("witness", "init", "--dir", tmp, "--name", "bad name", NULL);
  g_assert_cmpint (run->exit_status, !=, 0);
  g_clear_pointer (&run, node_run_free);

  log_key = cw_verifier_key_to_string (test_log_get_verifier (log));
  run = node_test_run ("witness", "add-log", "--dir", dir, "--origin", ORIGIN,
                       "--key", log_key, NULL);
  g_assert_cmpint (run->exit_status, ==, 0);
  g_clear_pointer (&run, node_run_free);
  run = node_test_run ("witness", "add-log", "--dir", dir, "--origin", ORIGIN,
                       "--key", log_key, NULL);
  g_assert_cmpint (run->exit_status, ==, 1);
  g_clear_pointer (&run, node_run_free);
  run = node_test_run ("witness", "add-log", "--dir", dir, "--origin", "x.example.org/log",
                       "--key", log_key, NULL);
  g_assert_cmpint (run->exit_status, ==, 1);
  g_clear_pointer (&run, node_run_free);
  {
    g_autofree char *witness_key = cw_verifier_key_to_string (key);

    run = node_test_run ("witness", "add-log", "--dir", dir, "--origin", "w.example.org",
                         "--key", witness_key, NULL);
    g_assert_cmpint (run->exit_status, ==, 1);
    g_clear_pointer (&run, node_run_free);
  }

  run = node_test_run ("witness", "status", "--dir", dir, NULL);
  g_assert_cmpint (run->exit_status, ==, 0);
  {
    g_autofree char *name = node_test_get_field (run->out, "name");
    g_autofree char *logs = node_test_get_field (run->out, "logs");

    g_assert_cmpstr (name, ==, "w.example.org");
    g_assert_cmpstr (logs, ==, "1");
  }
  g_clear_pointer (&run, node_run_free);

  run = node_test_run ("witness", "serve", "--dir", tmp, NULL);
  g_assert_cmpint (run->exit_status, ==, 1);
  g_clear_pointer (&run, node_run_free);
  run = node_test_run ("witness", "frobnicate", NULL);
  g_assert_cmpint (run->exit_status, ==, 2);
  g_clear_pointer (&run, node_run_free);
  run = node_test_run ("witness", "--help", NULL);
  g_assert_cmpint (run->exit_status, ==, 0);
  g_assert_nonnull (strstr (run->out, "add-log"));

  node_test_remove_tree (tmp);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/witness/cosigns-and-catches-up", test_witness_cosigns_and_catches_up);
  g_test_add_func ("/witness/refuses-rewrites", test_witness_refuses_rewrites);
  g_test_add_func ("/witness/bad-input", test_witness_bad_input);
  g_test_add_func ("/witness/http", test_witness_http);
  g_test_add_func ("/witness/restart", test_witness_restart);
  g_test_add_func ("/witness/shutdown", test_witness_shutdown);
  g_test_add_func ("/witness/commands", test_witness_commands);

  return g_test_run ();
}

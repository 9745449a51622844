/* test-checkpoint.c: transparency log checkpoints
 * (https://c2sp.org/tlog-checkpoint): strict parsing, formatting, signing,
 * opening with witnesses and quorum counting.
 */
#include "config.h"

#include <string.h>

#include <glib.h>

#include "cw-checkpoint.h"
#include "cw-cosignature.h"
#include "cw-key.h"
#include "cw-note.h"

#define ORIGIN "consent.example.org/log"
#define ROOT_B64 "mb8QLQIs0Z0yP5Cstq6guj87oXWeC9gEM8oVikmm9Wk="
#define SUMDB_VKEY "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8"

static CwSigningKey *
key_from_seed (const char *name,
               CwKeyType   type,
               guint8      fill)
{
  g_autoptr(GError) error = NULL;
  guint8 seed[CW_SEED_SIZE];
  CwSigningKey *key;

  memset (seed, fill, sizeof seed);
  key = cw_signing_key_new_from_seed (name, type, seed, &error);
  g_assert_no_error (error);
  return key;
}

static CwCheckpoint *
parse (const char *text)
{
  g_autoptr(GError) error = NULL;
  CwCheckpoint *checkpoint = cw_checkpoint_parse (text, strlen (text), &error);

  g_assert_no_error (error);
  return checkpoint;
}

static void
assert_parse_fails (const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CwCheckpoint) checkpoint = cw_checkpoint_parse (text, strlen (text), &error);

  if (checkpoint != NULL)
    g_error ("Accepted malformed checkpoint: %s", text);
  g_assert_error (error, CW_CHECKPOINT_ERROR, CW_CHECKPOINT_ERROR_MALFORMED);
}

static void
test_parse_format (void)
{
  const char *text = "go.sum database tree\n6476701\n" ROOT_B64 "\n";
  g_autoptr(CwCheckpoint) checkpoint = parse (text);
  g_autofree char *formatted = cw_checkpoint_format (checkpoint);
  g_autofree char *root = NULL;

  g_assert_cmpstr (cw_checkpoint_get_origin (checkpoint), ==, "go.sum database tree");
  g_assert_cmpuint (cw_checkpoint_get_size (checkpoint), ==, 6476701);
  g_assert_cmpuint (g_strv_length ((char **) cw_checkpoint_get_extensions (checkpoint)), ==, 0);
  root = g_base64_encode (cw_checkpoint_get_root_hash (checkpoint), CW_CHECKPOINT_HASH_SIZE);
  g_assert_cmpstr (root, ==, ROOT_B64);
  g_assert_cmpstr (formatted, ==, text);
}

static void
test_parse_edge_cases (void)
{
  const char *good[] = {
    ORIGIN "\n0\n" ROOT_B64 "\n",
    ORIGIN "\n18446744073709551615\n" ROOT_B64 "\n",
    /* Origins are only RECOMMENDED to be URL-like. */
    "Origin with spaces + plus\n1\n" ROOT_B64 "\n",
    ORIGIN "\n1\n" ROOT_B64 "\next one\next two\n",
  };
  const char *bad[] = {
    "",
    "\n",
    ORIGIN "\n1\n",
    ORIGIN "\n1\n" ROOT_B64,
    "\n1\n" ROOT_B64 "\n",
    ORIGIN "\n\n" ROOT_B64 "\n",
    ORIGIN "\n01\n" ROOT_B64 "\n",
    ORIGIN "\n00\n" ROOT_B64 "\n",
    ORIGIN "\n-1\n" ROOT_B64 "\n",
    ORIGIN "\n+1\n" ROOT_B64 "\n",
    ORIGIN "\n 1\n" ROOT_B64 "\n",
    ORIGIN "\n1 \n" ROOT_B64 "\n",
    ORIGIN "\n0x10\n" ROOT_B64 "\n",
    ORIGIN "\n18446744073709551616\n" ROOT_B64 "\n",
    ORIGIN "\n99999999999999999999\n" ROOT_B64 "\n",
    /* 31 and 33 bytes, missing padding, non-zero pad bits, URL alphabet. */
    ORIGIN "\n1\nmb8QLQIs0Z0yP5Cstq6guj87oXWeC9gEM8oVikmm9Q==\n",
    ORIGIN "\n1\nmb8QLQIs0Z0yP5Cstq6guj87oXWeC9gEM8oVikmm9WkA\n",
    ORIGIN "\n1\nmb8QLQIs0Z0yP5Cstq6guj87oXWeC9gEM8oVikmm9Wk\n",
    ORIGIN "\n1\nmb8QLQIs0Z0yP5Cstq6guj87oXWeC9gEM8oVikmm9Wl=\n",
    ORIGIN "\n1\nmb8QLQIs0Z0yP5Cstq6guj87oXWeC9gEM8oVikmm9W_=\n",
    ORIGIN "\n1\n " ROOT_B64 "\n",
    /* An empty extension line, control characters, invalid UTF-8. */
    ORIGIN "\n1\n" ROOT_B64 "\n\n",
    ORIGIN "\n1\n" ROOT_B64 "\n\next\n",
    ORIGIN "\t\n1\n" ROOT_B64 "\n",
    ORIGIN "\r\n1\n" ROOT_B64 "\n",
    "\xff\n1\n" ROOT_B64 "\n",
  };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(CwCheckpoint) checkpoint = parse (good[i]);
      g_autofree char *formatted = cw_checkpoint_format (checkpoint);

      g_assert_cmpstr (formatted, ==, good[i]);
    }

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    assert_parse_fails (bad[i]);

  {
    g_autoptr(CwCheckpoint) max = parse (good[1]);
    g_autoptr(CwCheckpoint) ext = parse (good[3]);

    g_assert_cmpuint (cw_checkpoint_get_size (max), ==, G_MAXUINT64);
    g_assert_cmpstr (cw_checkpoint_get_extensions (ext)[0], ==, "ext one");
    g_assert_cmpstr (cw_checkpoint_get_extensions (ext)[1], ==, "ext two");
    g_assert_null (cw_checkpoint_get_extensions (ext)[2]);
  }
}

static void
test_new (void)
{
  guint8 root[CW_CHECKPOINT_HASH_SIZE];
  const char *ext[] = { "extension", NULL };
  const char *bad_ext[] = { "two\nlines", NULL };
  const char *empty_ext[] = { "", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(CwCheckpoint) a = NULL;
  g_autoptr(CwCheckpoint) b = NULL;
  g_autoptr(CwCheckpoint) c = NULL;
  g_autofree char *text = NULL;

  memset (root, 0xab, sizeof root);
  a = cw_checkpoint_new (ORIGIN, 42, root, ext, &error);
  g_assert_no_error (error);
  text = cw_checkpoint_format (a);
  b = parse (text);
  g_assert_true (cw_checkpoint_equal (a, b));
  c = cw_checkpoint_new (ORIGIN, 43, root, ext, &error);
  g_assert_no_error (error);
  g_assert_false (cw_checkpoint_equal (a, c));

  g_assert_null (cw_checkpoint_new ("", 1, root, NULL, &error));
  g_assert_error (error, CW_CHECKPOINT_ERROR, CW_CHECKPOINT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (cw_checkpoint_new ("a\nb", 1, root, NULL, &error));
  g_assert_error (error, CW_CHECKPOINT_ERROR, CW_CHECKPOINT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (cw_checkpoint_new (ORIGIN, 1, root, bad_ext, &error));
  g_assert_error (error, CW_CHECKPOINT_ERROR, CW_CHECKPOINT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (cw_checkpoint_new (ORIGIN, 1, root, empty_ext, &error));
  g_assert_error (error, CW_CHECKPOINT_ERROR, CW_CHECKPOINT_ERROR_INVALID_ARGUMENT);
}

/* The Go checksum database signs with a key named unlike its origin, so
 * under this project's rule it does not open as a checkpoint. */
static void
test_sumdb_origin_mismatch (void)
{
  const char *dir = g_getenv ("CW_TESTVECTORS_DIR");
  g_autofree char *path = NULL;
  g_autofree char *msg = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CwVerifierKey) key = NULL;
  g_autoptr(CwSignedCheckpoint) opened = NULL;

  g_assert_nonnull (dir);
  path = g_build_filename (dir, "signed-note", "sumdb-checkpoint.note", NULL);
  g_file_get_contents (path, &msg, NULL, &error);
  g_assert_no_error (error);
  key = cw_verifier_key_new_from_string (SUMDB_VKEY, &error);
  g_assert_no_error (error);

  opened = cw_signed_checkpoint_open (msg, strlen (msg), key, NULL, 0, &error);
  g_assert_null (opened);
  g_assert_error (error, CW_CHECKPOINT_ERROR, CW_CHECKPOINT_ERROR_WRONG_ORIGIN);
}

typedef struct {
  CwSigningKey  *log;
  CwSigningKey  *witness[3];
  CwVerifierKey *witness_keys[3];
  CwCheckpoint  *checkpoint;
  char          *body;
  char          *log_signed;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  guint8 root[CW_CHECKPOINT_HASH_SIZE];

  fixture->log = key_from_seed (ORIGIN, CW_KEY_TYPE_ED25519, 1);
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *name = g_strdup_printf ("witness%u.example.org", i + 1);

      fixture->witness[i] = key_from_seed (name, CW_KEY_TYPE_COSIGNATURE_V1, 10 + i);
      fixture->witness_keys[i] = cw_signing_key_get_verifier (fixture->witness[i]);
    }

  memset (root, 0x5a, sizeof root);
  fixture->checkpoint = cw_checkpoint_new (ORIGIN, 1234, root, NULL, &error);
  g_assert_no_error (error);
  fixture->body = cw_checkpoint_format (fixture->checkpoint);
  fixture->log_signed = cw_checkpoint_sign (fixture->checkpoint, fixture->log, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_pointer (&fixture->log, cw_signing_key_unref);
  for (guint i = 0; i < 3; i++)
    g_clear_pointer (&fixture->witness[i], cw_signing_key_unref);
  g_clear_pointer (&fixture->checkpoint, cw_checkpoint_unref);
  g_clear_pointer (&fixture->body, g_free);
  g_clear_pointer (&fixture->log_signed, g_free);
}

/* The log-signed checkpoint plus cosignature lines by the witnesses whose
 * index is in @which, at times 1000 + index. */
static char *
cosigned (Fixture    *fixture,
          const char *base,
          const char *which)
{
  GString *msg = g_string_new (base);

  for (const char *w = which; *w; w++)
    {
      guint i = *w - '0';
      g_autoptr(GError) error = NULL;
      g_autofree char *line = cw_cosignature_sign_line (fixture->witness[i], fixture->body,
                                                        strlen (fixture->body), 1000 + i, &error);

      g_assert_no_error (error);
      g_string_append (msg, line);
    }

  return g_string_free (msg, FALSE);
}

static CwSignedCheckpoint *
open_checkpoint (Fixture     *fixture,
                 const char  *msg,
                 GError     **error)
{
  return cw_signed_checkpoint_open (msg, strlen (msg), cw_signing_key_get_verifier (fixture->log),
                                    fixture->witness_keys, 3, error);
}

static void
test_open_log_only (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CwSignedCheckpoint) opened = NULL;

  opened = open_checkpoint (fixture, fixture->log_signed, &error);
  g_assert_no_error (error);
  g_assert_true (cw_checkpoint_equal (cw_signed_checkpoint_get_checkpoint (opened), fixture->checkpoint));
  g_assert_cmpuint (cw_signed_checkpoint_get_n_cosigners (opened), ==, 0);
  g_assert_true (cw_signed_checkpoint_check_quorum (opened, 0, &error));
  g_assert_false (cw_signed_checkpoint_check_quorum (opened, 1, &error));
  g_assert_error (error, CW_CHECKPOINT_ERROR, CW_CHECKPOINT_ERROR_NO_QUORUM);
}

static void
test_open_quorum (Fixture       *fixture,
                  gconstpointer  data)
{
  /* Witnesses 3 and 1 cosign, witness 1 twice, in an order unlike the
   * configured one; a witness we do not know signs too. */
  g_autofree char *msg = cosigned (fixture, fixture->log_signed, "200");
  g_autoptr(CwSigningKey) stranger = key_from_seed ("stranger.example", CW_KEY_TYPE_COSIGNATURE_V1, 99);
  g_autofree char *stranger_line = NULL;
  g_autofree char *full = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CwSignedCheckpoint) opened = NULL;
  guint64 t = 0;

  stranger_line = cw_cosignature_sign_line (stranger, fixture->body, strlen (fixture->body), 5, &error);
  g_assert_no_error (error);
  full = g_strconcat (msg, stranger_line, NULL);

  opened = open_checkpoint (fixture, full, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (cw_signed_checkpoint_get_n_cosigners (opened), ==, 2);
  g_assert_true (cw_signed_checkpoint_get_cosigner (opened, 0) == fixture->witness_keys[0]);
  g_assert_cmpuint (cw_signed_checkpoint_get_cosignature_time (opened, 0), ==, 1000);
  g_assert_true (cw_signed_checkpoint_get_cosigner (opened, 1) == fixture->witness_keys[2]);
  g_assert_cmpuint (cw_signed_checkpoint_get_cosignature_time (opened, 1), ==, 1002);

  g_assert_true (cw_signed_checkpoint_is_cosigned_by (opened, fixture->witness_keys[2], &t));
  g_assert_cmpuint (t, ==, 1002);
  g_assert_false (cw_signed_checkpoint_is_cosigned_by (opened, fixture->witness_keys[1], NULL));
  g_assert_cmpuint (cw_note_get_n_unverified (cw_signed_checkpoint_get_note (opened)), ==, 1);

  g_assert_true (cw_signed_checkpoint_check_quorum (opened, 2, &error));
  g_assert_no_error (error);
  g_assert_false (cw_signed_checkpoint_check_quorum (opened, 3, &error));
  g_assert_error (error, CW_CHECKPOINT_ERROR, CW_CHECKPOINT_ERROR_NO_QUORUM);
}

static void
test_open_bad_cosignature (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CwSignedCheckpoint) opened = NULL;
  g_autofree char *line = NULL;
  g_autofree char *msg = NULL;
  const char *other_body = ORIGIN "\n1235\nWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlo=\n";

  /* A known witness's signature over another checkpoint rejects the note. */
  line = cw_cosignature_sign_line (fixture->witness[0], other_body, strlen (other_body), 1, &error);
  g_assert_no_error (error);
  msg = g_strconcat (fixture->log_signed, line, NULL);

  opened = open_checkpoint (fixture, msg, &error);
  g_assert_null (opened);
  g_assert_error (error, CW_NOTE_ERROR, CW_NOTE_ERROR_INVALID_SIGNATURE);
}

static void
test_open_without_log (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autofree char *base = g_strconcat (fixture->body, "\n", NULL);
  g_autofree char *msg = cosigned (fixture, base, "01");
  g_autoptr(GError) error = NULL;
  g_autoptr(CwSignedCheckpoint) opened = NULL;

  opened = open_checkpoint (fixture, msg, &error);
  g_assert_null (opened);
  g_assert_error (error, CW_CHECKPOINT_ERROR, CW_CHECKPOINT_ERROR_NOT_SIGNED_BY_LOG);
}

static void
test_open_bad_keys (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(CwSigningKey) plain_witness = key_from_seed ("plain.example", CW_KEY_TYPE_ED25519, 50);
  g_autoptr(CwSigningKey) same_key = key_from_seed ("alias.example", CW_KEY_TYPE_COSIGNATURE_V1, 10);
  g_autoptr(CwSigningKey) log_as_witness = key_from_seed (ORIGIN, CW_KEY_TYPE_COSIGNATURE_V1, 1);
  g_autoptr(CwSigningKey) other_log = key_from_seed ("other.example/log", CW_KEY_TYPE_ED25519, 2);
  CwVerifierKey *log = cw_signing_key_get_verifier (fixture->log);
  CwVerifierKey *plain[] = { fixture->witness_keys[0], cw_signing_key_get_verifier (plain_witness) };
  CwVerifierKey *dup[] = { fixture->witness_keys[0], cw_signing_key_get_verifier (same_key) };
  g_autoptr(GError) error = NULL;
  gsize len = strlen (fixture->log_signed);

  g_assert_null (cw_signed_checkpoint_open (fixture->log_signed, len, log, plain, 2, &error));
  g_assert_error (error, CW_CHECKPOINT_ERROR, CW_CHECKPOINT_ERROR_INVALID_KEY);
  g_clear_error (&error);

  /* One public key under two names would count twice towards a quorum. */
  g_assert_null (cw_signed_checkpoint_open (fixture->log_signed, len, log, dup, 2, &error));
  g_assert_error (error, CW_CHECKPOINT_ERROR, CW_CHECKPOINT_ERROR_INVALID_KEY);
  g_clear_error (&error);

  g_assert_null (cw_signed_checkpoint_open (fixture->log_signed, len,
                                            cw_signing_key_get_verifier (log_as_witness),
                                            NULL, 0, &error));
  g_assert_error (error, CW_CHECKPOINT_ERROR, CW_CHECKPOINT_ERROR_INVALID_KEY);
  g_clear_error (&error);

  g_assert_null (cw_signed_checkpoint_open (fixture->log_signed, len,
                                            cw_signing_key_get_verifier (other_log),
                                            NULL, 0, &error));
  g_assert_error (error, CW_NOTE_ERROR, CW_NOTE_ERROR_UNVERIFIED);
  g_clear_error (&error);

  /* Signing refuses a log key named unlike the origin. */
  g_assert_null (cw_checkpoint_sign (fixture->checkpoint, other_log, &error));
  g_assert_error (error, CW_CHECKPOINT_ERROR, CW_CHECKPOINT_ERROR_WRONG_ORIGIN);
}

/* A note signed by the right key whose text is not a checkpoint. */
static void
test_open_not_a_checkpoint (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *msg = cw_note_sign (ORIGIN "\n01\n" ROOT_B64 "\n", &fixture->log, 1, &error);
  g_autoptr(CwSignedCheckpoint) opened = NULL;

  g_assert_no_error (error);
  opened = cw_signed_checkpoint_open (msg, strlen (msg), cw_signing_key_get_verifier (fixture->log),
                                      NULL, 0, &error);
  g_assert_null (opened);
  g_assert_error (error, CW_CHECKPOINT_ERROR, CW_CHECKPOINT_ERROR_MALFORMED);
}

/* Every bit flip in a cosigned checkpoint is caught: most make the note fail
 * to open; a flip inside a witness's name or key ID turns it into an unknown
 * signer, which the quorum check then catches. */
static void
test_bit_flips (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *orig = cosigned (fixture, fixture->log_signed, "012");
  gsize len = strlen (orig);
  g_autofree char *msg = g_malloc (len);
  g_autoptr(GError) error = NULL;
  g_autoptr(CwSignedCheckpoint) intact = open_checkpoint (fixture, orig, &error);

  g_assert_no_error (error);
  g_assert_true (cw_signed_checkpoint_check_quorum (intact, 3, &error));

  for (gsize i = 0; i < len * 8; i++)
    {
      g_autoptr(CwSignedCheckpoint) opened = NULL;
      g_autoptr(GError) local_error = NULL;

      memcpy (msg, orig, len);
      msg[i / 8] ^= 1 << (i % 8);
      opened = cw_signed_checkpoint_open (msg, len, cw_signing_key_get_verifier (fixture->log),
                                          fixture->witness_keys, 3, &local_error);
      if (opened != NULL && cw_signed_checkpoint_check_quorum (opened, 3, &local_error))
        g_error ("Checkpoint with bit %" G_GSIZE_FORMAT " flipped was accepted", i);
      g_assert_nonnull (local_error);
    }
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/checkpoint/parse-format", test_parse_format);
  g_test_add_func ("/checkpoint/parse-edge-cases", test_parse_edge_cases);
  g_test_add_func ("/checkpoint/new", test_new);
  g_test_add_func ("/checkpoint/sumdb-origin-mismatch", test_sumdb_origin_mismatch);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/checkpoint/open/log-only", test_open_log_only);
  ADD ("/checkpoint/open/quorum", test_open_quorum);
  ADD ("/checkpoint/open/bad-cosignature", test_open_bad_cosignature);
  ADD ("/checkpoint/open/without-log", test_open_without_log);
  ADD ("/checkpoint/open/bad-keys", test_open_bad_keys);
  ADD ("/checkpoint/open/not-a-checkpoint", test_open_not_a_checkpoint);
  ADD ("/checkpoint/open/bit-flips", test_bit_flips);
#undef ADD

  return g_test_run ();
}

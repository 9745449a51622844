/* fuzz-witness.c: the body of POST /witness/add-checkpoint as a witness
 * handles it (node/cw-witness.c): cw_witness_request_parse() and the whole
 * cw_witness_add_checkpoint() against a real witness store (SQLite, in a
 * temporary directory) that witnesses FUZZ_LOG_ORIGIN and has cosigned the
 * first FUZZ_WITNESS_BASE_SIZE leaves of the log in fuzz-node-common.h.
 *
 * The first input byte is a mode. With bit 0 set, the harness signs the
 * checkpoint text itself with the log key before handing the body over, so
 * that fuzzed sizes, roots and consistency proofs get past the signature to
 * the checks behind it. Invariants: a parsed request formats back to the
 * same body; errors are CW_WITNESS_ERROR with a status the spec allows; a
 * cosignature is only given for a log-signed checkpoint, is one line that
 * verifies with the witness key, and after it the store holds exactly that
 * checkpoint's size. */
#include "config.h"

#include <glib/gstdio.h>
#include <unistd.h>

#include "fuzz-common.h"
#include "fuzz-node-common.h"

#include "cw-checkpoint.h"
#include "cw-cosignature.h"
#include "cw-note.h"
#include "cw-witness.h"
#include "cw-witness-store.h"

static CwSigningKey *log_key;
static CwSigningKey *witness_key;
static char *tmpdir;
static char *db_path;
static CwWitnessStore *store;

static void
remove_database (void)
{
  const char *suffixes[] = { "", "-wal", "-shm", "-journal" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *path = g_strconcat (db_path, suffixes[i], NULL);

      g_unlink (path);
    }
}

/* The same witness state for every input: the base size cosigned. */
static void
reset_store (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CwVerifierKey) verifier = NULL;
  g_autoptr(CwLogTree) tree = fuzz_witness_tree ();
  g_autofree char *text = fuzz_witness_checkpoint_text (tree, FUZZ_WITNESS_BASE_SIZE);
  g_autofree char *note = NULL;
  g_autofree char *body = NULL;
  g_autofree char *line = NULL;
  CwSigningKey *signers[1];

  g_clear_object (&store);
  remove_database ();
  store = cw_witness_store_new (db_path, TRUE, &error);
  if (store == NULL)
    {
      fprintf (stderr, "fuzz-witness: %s\n", error->message);
      abort ();
    }
  verifier = cw_verifier_key_ref (cw_signing_key_get_verifier (log_key));
  if (!cw_witness_store_add_log (store, FUZZ_LOG_ORIGIN, verifier, 1700000000, &error))
    {
      fprintf (stderr, "fuzz-witness: %s\n", error->message);
      abort ();
    }

  signers[0] = log_key;
  note = cw_note_sign (text, signers, 1, NULL);
  body = g_strconcat ("old 0\n\n", note, NULL);
  line = cw_witness_add_checkpoint (store, witness_key, (const guint8 *) body, strlen (body),
                                    1700000000, NULL, &error);
  if (line == NULL)
    {
      fprintf (stderr, "fuzz-witness: cosigning the base size: %s\n", error->message);
      abort ();
    }
}

static void
cleanup (void)
{
  g_clear_object (&store);
  remove_database ();
  g_rmdir (tmpdir);
}

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init ();
  log_key = fuzz_log_key ();
  witness_key = fuzz_witness_key (1);
  tmpdir = g_dir_make_tmp ("fuzz-witness-XXXXXX", NULL);
  if (tmpdir == NULL)
    abort ();
  db_path = g_build_filename (tmpdir, "witness.db", NULL);
  reset_store ();
  atexit (cleanup);
  return 0;
}

/* The body with its checkpoint text (after the blank line) signed by the
 * log key, or %NULL if there is no such text to sign. */
static GBytes *
sign_body (const guint8 *data,
           gsize         size)
{
  const guint8 *blank = NULL;
  CwSigningKey *signers[] = { log_key };
  g_autofree char *text = NULL;
  g_autofree char *note = NULL;
  GByteArray *body;

  for (gsize i = 0; i + 1 < size; i++)
    if (data[i] == '\n' && data[i + 1] == '\n')
      {
        blank = data + i + 2;
        break;
      }
  if (blank == NULL || memchr (data, '\0', size) != NULL)
    return NULL;

  text = g_strndup ((const char *) blank, data + size - blank);
  note = cw_note_sign (text, signers, 1, NULL);
  if (note == NULL)
    return NULL;

  body = g_byte_array_new ();
  g_byte_array_append (body, data, blank - data);
  g_byte_array_append (body, (const guint8 *) note, strlen (note));
  return g_byte_array_free_to_bytes (body);
}

static void
check_request (const guint8 *body,
               gsize         len)
{
  g_autoptr(CwWitnessRequest) request = NULL;
  g_autoptr(GBytes) again = NULL;
  g_autoptr(GError) error = NULL;

  request = cw_witness_request_parse (body, len, &error);
  if (request == NULL)
    {
      FUZZ_ASSERT (g_error_matches (error, CW_WITNESS_ERROR, CW_WITNESS_ERROR_MALFORMED));
      return;
    }

  FUZZ_ASSERT (request->proof->len <= CW_WITNESS_MAX_PROOF_LINES);
  FUZZ_ASSERT (request->note_len > 0 && strlen (request->note) == request->note_len);
  again = cw_witness_request_format (request->old_size, request->proof, request->note);
  FUZZ_ASSERT (fuzz_bytes_equal (g_bytes_get_data (again, NULL), g_bytes_get_size (again),
                                 body, len));
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GBytes) signed_body = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  const guint8 *body;
  gsize len;
  guint64 out_size = G_MAXUINT64;

  if (size < 1)
    return 0;

  body = data + 1;
  len = size - 1;
  if (data[0] & 1)
    {
      signed_body = sign_body (body, len);
      if (signed_body == NULL)
        return 0;
      body = g_bytes_get_data (signed_body, &len);
    }

  check_request (body, len);

  line = cw_witness_add_checkpoint (store, witness_key, body, len, 1800000000, &out_size, &error);
  if (line == NULL)
    {
      guint status;

      FUZZ_ASSERT (error != NULL && error->domain == CW_WITNESS_ERROR);
      FUZZ_ASSERT (error->code != CW_WITNESS_ERROR_FAILED);
      status = cw_witness_error_get_status (error);
      FUZZ_ASSERT (status == 400 || status == 403 || status == 404 ||
                   status == 409 || status == 422);
      if (error->code == CW_WITNESS_ERROR_OLD_SIZE)
        FUZZ_ASSERT (out_size == FUZZ_WITNESS_BASE_SIZE);
      return 0;
    }

  {
    g_autoptr(CwWitnessRequest) request = cw_witness_request_parse (body, len, NULL);
    g_autoptr(CwSignedCheckpoint) opened = NULL;
    g_autoptr(CwWitnessLog) log = NULL;
    g_autofree char *cosigned = NULL;

    FUZZ_ASSERT (request != NULL);
    opened = cw_signed_checkpoint_open (request->note, request->note_len,
                                        cw_signing_key_get_verifier (log_key), NULL, 0, NULL);
    FUZZ_ASSERT (opened != NULL);

    /* One signature line, by the witness key, over this checkpoint. */
    FUZZ_ASSERT (g_str_has_suffix (line, "\n") && strchr (line, '\n') == line + strlen (line) - 1);
    cosigned = g_strconcat (request->note, line, NULL);
    {
      CwVerifierKey *witnesses[] = { cw_signing_key_get_verifier (witness_key) };
      g_autoptr(CwSignedCheckpoint) with_cosig =
        cw_signed_checkpoint_open (cosigned, strlen (cosigned),
                                   cw_signing_key_get_verifier (log_key), witnesses, 1, NULL);

      FUZZ_ASSERT (with_cosig != NULL);
      FUZZ_ASSERT (cw_signed_checkpoint_get_n_cosigners (with_cosig) == 1);
    }

    log = cw_witness_store_lookup_log (store, FUZZ_LOG_ORIGIN, NULL);
    FUZZ_ASSERT (log != NULL);
    FUZZ_ASSERT (log->size == cw_checkpoint_get_size (cw_signed_checkpoint_get_checkpoint (opened)));
  }

  reset_store ();
  return 0;
}

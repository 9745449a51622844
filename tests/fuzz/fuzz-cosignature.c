/* fuzz-cosignature.c: cw_cosignature_verify() with fuzzed signature blobs
 * and bodies, and cosignature timestamps of fuzzed notes.
 *
 * Input: one byte L, then L bytes of signature blob (timestamp and
 * signature, without key ID), then the body. */
#include "config.h"

#include "fuzz-common.h"

#include "cw-cosignature.h"
#include "cw-note.h"

static CwSigningKey *witness;
static CwSigningKey *plain_key;
static CwNoteVerifiers *verifiers;

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init ();
  witness = fuzz_witness_key (1);
  plain_key = fuzz_log_key ();
  verifiers = cw_note_verifiers_new ();
  if (!cw_cosignature_add_verifier (verifiers, cw_signing_key_get_verifier (witness), NULL))
    abort ();

  return 0;
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CwNote) note = NULL;
  const guint8 *sig, *body;
  gsize sig_len, body_len;
  guint64 timestamp = 0;

  if (size < 1)
    return 0;
  sig_len = MIN (data[0], size - 1);
  sig = data + 1;
  body = sig + sig_len;
  body_len = size - 1 - sig_len;

  if (cw_cosignature_verify (cw_signing_key_get_verifier (witness), (const char *) body, body_len,
                             sig, sig_len, &timestamp, &error))
    {
      guint8 again[CW_COSIGNATURE_SIZE];

      /* Ed25519 is deterministic: a verified cosignature is the one we make. */
      FUZZ_ASSERT (sig_len == CW_COSIGNATURE_SIZE);
      FUZZ_ASSERT (timestamp <= CW_COSIGNATURE_MAX_TIME);
      FUZZ_ASSERT (cw_cosignature_sign (witness, (const char *) body, body_len, timestamp,
                                        again, NULL));
      FUZZ_ASSERT (memcmp (again, sig, sizeof again) == 0);
    }
  else
    {
      FUZZ_ASSERT (error != NULL);
    }

  /* A plain Ed25519 key never verifies a cosignature. */
  FUZZ_ASSERT (!cw_cosignature_verify (cw_signing_key_get_verifier (plain_key),
                                       (const char *) body, body_len, sig, sig_len, NULL, NULL));

  /* The whole input as a note cosigned by the witness. */
  note = cw_note_open ((const char *) data, size, verifiers, NULL);
  if (note != NULL)
    {
      for (guint i = 0; i < cw_note_get_n_signatures (note); i++)
        {
          FUZZ_ASSERT (cw_cosignature_get_timestamp (cw_note_get_signature (note, i), &timestamp, NULL));
          FUZZ_ASSERT (timestamp <= CW_COSIGNATURE_MAX_TIME);
        }
    }

  return 0;
}

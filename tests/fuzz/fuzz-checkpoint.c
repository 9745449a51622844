/* fuzz-checkpoint.c: cw_checkpoint_parse() on the input as note text, and
 * cw_signed_checkpoint_open() on it as a signed note, with a fixed log key
 * and two witnesses. A parsed checkpoint formats back to the same bytes. */
#include "config.h"

#include "fuzz-common.h"

#include "cw-checkpoint.h"
#include "cw-cosignature.h"

static CwSigningKey *log_key;
static CwVerifierKey *witnesses[2];

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init ();
  log_key = fuzz_log_key ();
  for (guint i = 0; i < 2; i++)
    {
      CwSigningKey *key = fuzz_witness_key (i + 1);

      witnesses[i] = cw_verifier_key_ref (cw_signing_key_get_verifier (key));
      cw_signing_key_unref (key);
    }

  return 0;
}

static void
check_parse (const guint8 *data,
             size_t        size)
{
  g_autoptr(CwCheckpoint) checkpoint = NULL;
  g_autoptr(CwCheckpoint) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  checkpoint = cw_checkpoint_parse ((const char *) data, size, &error);
  if (checkpoint == NULL)
    {
      FUZZ_ASSERT (error != NULL);
      return;
    }

  text = cw_checkpoint_format (checkpoint);
  FUZZ_ASSERT (fuzz_bytes_equal (text, strlen (text), data, size));
  again = cw_checkpoint_parse (text, strlen (text), NULL);
  FUZZ_ASSERT (again != NULL && cw_checkpoint_equal (checkpoint, again));
}

static void
check_open (const guint8 *data,
            size_t        size)
{
  g_autoptr(CwSignedCheckpoint) signed_checkpoint = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  CwCheckpoint *checkpoint;
  CwNote *note;
  guint n;

  signed_checkpoint = cw_signed_checkpoint_open ((const char *) data, size,
                                                 cw_signing_key_get_verifier (log_key),
                                                 witnesses, G_N_ELEMENTS (witnesses), &error);
  if (signed_checkpoint == NULL)
    {
      FUZZ_ASSERT (error != NULL);
      return;
    }

  checkpoint = cw_signed_checkpoint_get_checkpoint (signed_checkpoint);
  note = cw_signed_checkpoint_get_note (signed_checkpoint);
  FUZZ_ASSERT (g_strcmp0 (cw_checkpoint_get_origin (checkpoint), FUZZ_LOG_ORIGIN) == 0);
  text = cw_checkpoint_format (checkpoint);
  FUZZ_ASSERT (g_strcmp0 (text, cw_note_get_text (note)) == 0);
  FUZZ_ASSERT (memcmp (text, data, strlen (text)) == 0);

  n = cw_signed_checkpoint_get_n_cosigners (signed_checkpoint);
  FUZZ_ASSERT (n <= G_N_ELEMENTS (witnesses));
  for (guint i = 0; i < n; i++)
    {
      CwVerifierKey *witness = cw_signed_checkpoint_get_cosigner (signed_checkpoint, i);
      guint64 time = 0;

      FUZZ_ASSERT (cw_signed_checkpoint_is_cosigned_by (signed_checkpoint, witness, &time));
      FUZZ_ASSERT (time == cw_signed_checkpoint_get_cosignature_time (signed_checkpoint, i));
      FUZZ_ASSERT (time <= CW_COSIGNATURE_MAX_TIME);
    }
  FUZZ_ASSERT (cw_signed_checkpoint_check_quorum (signed_checkpoint, n, NULL));
  FUZZ_ASSERT (!cw_signed_checkpoint_check_quorum (signed_checkpoint, n + 1, NULL));
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  check_parse (data, size);
  check_open (data, size);

  return 0;
}

/* fuzz-tlog-proof.c: cw_tlog_proof_parse(), which is strict: whatever it
 * accepts formats back to exactly the same bytes. */
#include "config.h"

#include "fuzz-common.h"

#include "cw-merkle.h"
#include "cw-tlog-proof.h"

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(CwTlogProof) proof = NULL;
  g_autoptr(CwTlogProof) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  proof = cw_tlog_proof_parse ((const char *) data, size, &error);
  if (proof == NULL)
    {
      FUZZ_ASSERT (error != NULL && error->domain == CW_TLOG_PROOF_ERROR);
      return 0;
    }

  FUZZ_ASSERT (proof->proof != NULL && proof->proof->len <= CW_MERKLE_MAX_PROOF_LENGTH);
  for (guint i = 0; i < proof->proof->len; i++)
    FUZZ_ASSERT (g_bytes_get_size (g_ptr_array_index (proof->proof, i)) == CW_MERKLE_HASH_SIZE);
  FUZZ_ASSERT (proof->checkpoint != NULL && g_str_has_suffix (proof->checkpoint, "\n"));
  FUZZ_ASSERT (proof->extra == NULL || g_bytes_get_size (proof->extra) > 0);

  text = cw_tlog_proof_format (proof);
  FUZZ_ASSERT (fuzz_bytes_equal (text, strlen (text), data, size));
  again = cw_tlog_proof_parse (text, -1, NULL);
  FUZZ_ASSERT (again != NULL && again->index == proof->index);

  return 0;
}

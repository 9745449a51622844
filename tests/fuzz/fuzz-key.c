/* fuzz-key.c: verifier and signer key strings. A key string that parses is
 * exactly what the key writes back; a signer's verifier half parses from
 * its own string. */
#include "config.h"

#include "fuzz-common.h"

#include "cw-key.h"

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
  g_autofree char *text = fuzz_strndup (data, size);
  g_autoptr(CwVerifierKey) verifier = NULL;
  g_autoptr(CwSigningKey) signer = NULL;
  g_autoptr(GError) error = NULL;

  verifier = cw_verifier_key_new_from_string (text, &error);
  if (verifier != NULL)
    {
      g_autofree char *again = cw_verifier_key_to_string (verifier);
      const char *name = cw_verifier_key_get_name (verifier);

      FUZZ_ASSERT (g_strcmp0 (again, text) == 0);
      FUZZ_ASSERT (cw_key_name_is_valid (name));
      FUZZ_ASSERT (cw_verifier_key_get_key_id (verifier) ==
                   cw_key_id_compute (name, cw_verifier_key_get_key_type (verifier),
                                      cw_verifier_key_get_public_key (verifier)));
    }
  else
    {
      FUZZ_ASSERT (error != NULL && error->domain == CW_KEY_ERROR);
    }
  g_clear_error (&error);

  signer = cw_signing_key_new_from_string (text, &error);
  if (signer != NULL)
    {
      char *again = cw_signing_key_to_string (signer);
      CwVerifierKey *half = cw_signing_key_get_verifier (signer);
      g_autofree char *half_text = cw_verifier_key_to_string (half);
      g_autoptr(CwVerifierKey) half_again = cw_verifier_key_new_from_string (half_text, NULL);
      guint8 sig[CW_SIGNATURE_SIZE];

      FUZZ_ASSERT (g_strcmp0 (again, text) == 0);
      cw_secure_string_free (again);
      FUZZ_ASSERT (half_again != NULL);
      FUZZ_ASSERT (cw_verifier_key_get_key_id (half_again) == cw_signing_key_get_key_id (signer));
      cw_signing_key_sign (signer, data, size, sig);
      FUZZ_ASSERT (cw_verifier_key_verify (half, data, size, sig));
    }
  else
    {
      FUZZ_ASSERT (error != NULL && error->domain == CW_KEY_ERROR);
    }

  return 0;
}

/* fuzz-dsse.c: cw_dsse_envelope_parse() and verification against a fixed
 * key. An envelope that parses serialises to compact JSON that parses to
 * the same envelope and serialises identically. */
#include "config.h"

#include "fuzz-common.h"

#include "cw-dsse.h"

static CwSigningKey *key;

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init ();
  key = fuzz_patient_key ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(CwDsseEnvelope) envelope = NULL;
  g_autoptr(CwDsseEnvelope) again = NULL;
  g_autoptr(GBytes) opened = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  g_autofree char *json2 = NULL;
  g_autoptr(GBytes) payload = NULL;
  g_autoptr(GBytes) payload2 = NULL;
  gsize json_len = 0, json2_len = 0;
  guint n;
  gboolean verified;

  envelope = cw_dsse_envelope_parse ((const char *) data, size, &error);
  if (envelope == NULL)
    {
      FUZZ_ASSERT (error != NULL);
      FUZZ_ASSERT (cw_dsse_open ((const char *) data, size, cw_signing_key_get_verifier (key),
                                 NULL) == NULL);
      return 0;
    }

  FUZZ_ASSERT (size <= CW_DSSE_MAX_ENVELOPE_SIZE);
  FUZZ_ASSERT (g_strcmp0 (cw_dsse_envelope_get_payload_type (envelope), CW_DSSE_PAYLOAD_TYPE) == 0);
  payload = cw_dsse_envelope_get_payload (envelope);
  FUZZ_ASSERT (payload != NULL && g_bytes_get_size (payload) <= CW_DSSE_MAX_PAYLOAD_SIZE);
  n = cw_dsse_envelope_get_n_signatures (envelope);
  FUZZ_ASSERT (n >= 1 && n <= CW_DSSE_MAX_SIGNATURES);
  for (guint i = 0; i < n; i++)
    {
      const char *key_id = cw_dsse_envelope_get_key_id (envelope, i);

      FUZZ_ASSERT (key_id != NULL);
      for (guint j = 0; j < i; j++)
        FUZZ_ASSERT (g_strcmp0 (key_id, cw_dsse_envelope_get_key_id (envelope, j)) != 0);
    }

  json = cw_dsse_envelope_to_json (envelope, &json_len);
  FUZZ_ASSERT (json != NULL && json_len == strlen (json));
  again = cw_dsse_envelope_parse (json, json_len, NULL);
  FUZZ_ASSERT (again != NULL);
  payload2 = cw_dsse_envelope_get_payload (again);
  FUZZ_ASSERT (g_bytes_equal (payload, payload2));
  FUZZ_ASSERT (cw_dsse_envelope_get_n_signatures (again) == n);
  json2 = cw_dsse_envelope_to_json (again, &json2_len);
  FUZZ_ASSERT (fuzz_bytes_equal (json, json_len, json2, json2_len));

  verified = cw_dsse_envelope_verify (envelope, cw_signing_key_get_verifier (key), NULL);
  FUZZ_ASSERT (verified == cw_dsse_envelope_verify (again, cw_signing_key_get_verifier (key), NULL));
  opened = cw_dsse_open ((const char *) data, size, cw_signing_key_get_verifier (key), NULL);
  FUZZ_ASSERT ((opened != NULL) == verified);
  if (opened != NULL)
    FUZZ_ASSERT (g_bytes_equal (opened, payload));

  return 0;
}

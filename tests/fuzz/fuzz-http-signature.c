/* fuzz-http-signature.c: cw_http_signatures_parse() of RFC 9421
 * Signature-Input and Signature field values, and the RFC 8941 dictionary
 * parser under it.
 *
 * Input: the Signature-Input value, a newline, the Signature value (empty
 * when there is no newline). What parses serialises to values that parse to
 * the same serialisation; parsed parameters go through the node's policy
 * check, the signature base and verification against a fixed request
 * (the seeds hold genuine signatures by fuzz_patient_key()). */
#include "config.h"

#include "fuzz-common.h"

#include "cw-http-signature.h"
#include "cw-structured-field.h"

static CwSigningKey *key;
static CwHttpRequest *request;

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init ();
  key = fuzz_patient_key ();
  request = cw_http_request_new ("GET", "https", "node.example.org", "/v1/patients/abc/grants",
                                 "after=3", NULL);
  if (request == NULL ||
      !cw_http_request_add_header (request, "content-type", "application/json", NULL) ||
      !cw_http_request_add_header (request, "x-empty", "", NULL))
    abort ();

  return 0;
}

static void
check_dictionary (const char *text)
{
  g_autoptr(GPtrArray) members = NULL;
  g_autoptr(GPtrArray) again = NULL;
  g_autofree char *serialised = NULL;
  g_autofree char *serialised2 = NULL;

  members = cw_structured_field_parse_dictionary ("Fuzz", text, NULL, NULL);
  if (members == NULL)
    return;

  serialised = cw_structured_field_dictionary_to_string (members);
  again = cw_structured_field_parse_dictionary ("Fuzz", serialised, NULL, NULL);
  FUZZ_ASSERT (again != NULL && again->len == members->len);
  serialised2 = cw_structured_field_dictionary_to_string (again);
  FUZZ_ASSERT (g_strcmp0 (serialised, serialised2) == 0);
}

static void
check_signature (CwHttpSignatures *signatures,
                 const char       *label)
{
  g_autoptr(CwHttpSignatureParams) params = NULL;
  g_autoptr(GBytes) signature = NULL;
  g_autofree char *params_text = NULL;
  g_autofree char *base = NULL;
  g_autoptr(GError) error = NULL;

  FUZZ_ASSERT (cw_http_signatures_get (signatures, label, &params, &signature, NULL));
  params_text = cw_http_signature_params_to_string (params);
  FUZZ_ASSERT (params_text != NULL);

  cw_http_signature_params_check_policy (params, 1700000000, CW_HTTP_SIGNATURE_DEFAULT_MAX_AGE,
                                         CW_HTTP_SIGNATURE_DEFAULT_MAX_SKEW, NULL);

  base = cw_http_signature_base (request, params, &error);
  if (base == NULL)
    {
      FUZZ_ASSERT (error != NULL);
      return;
    }
  /* The base ends with the signature parameters line. */
  FUZZ_ASSERT (g_str_has_suffix (base, params_text));
  if (cw_http_signature_verify (request, params, signature, cw_signing_key_get_verifier (key), NULL))
    FUZZ_ASSERT (g_bytes_get_size (signature) == CW_SIGNATURE_SIZE);
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autofree char *input = fuzz_strndup (data, size);
  g_autoptr(CwHttpSignatures) signatures = NULL;
  g_autoptr(CwHttpSignatures) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *input_text = NULL;
  g_autofree char *signature_text = NULL;
  g_autofree char *input_text2 = NULL;
  g_autofree char *signature_text2 = NULL;
  char *signature = strchr (input, '\n');
  guint n;

  if (signature != NULL)
    *signature++ = '\0';
  else
    signature = input + strlen (input);

  check_dictionary (input);
  check_dictionary (signature);

  signatures = cw_http_signatures_parse (input, signature, &error);
  if (signatures == NULL)
    {
      FUZZ_ASSERT (error != NULL);
      return 0;
    }

  n = cw_http_signatures_get_n_signatures (signatures);
  FUZZ_ASSERT (n <= CW_HTTP_SIGNATURE_MAX_SIGNATURES);
  for (guint i = 0; i < n; i++)
    check_signature (signatures, cw_http_signatures_get_label (signatures, i));
  if (n == 1)
    FUZZ_ASSERT (cw_http_signatures_get (signatures, NULL, NULL, NULL, NULL));

  input_text = cw_http_signatures_to_signature_input (signatures);
  signature_text = cw_http_signatures_to_signature (signatures);
  again = cw_http_signatures_parse (input_text, signature_text, NULL);
  FUZZ_ASSERT (again != NULL && cw_http_signatures_get_n_signatures (again) == n);
  input_text2 = cw_http_signatures_to_signature_input (again);
  signature_text2 = cw_http_signatures_to_signature (again);
  FUZZ_ASSERT (g_strcmp0 (input_text, input_text2) == 0);
  FUZZ_ASSERT (g_strcmp0 (signature_text, signature_text2) == 0);

  return 0;
}

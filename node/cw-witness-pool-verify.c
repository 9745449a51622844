/* cw-witness-pool-verify.c: what the witness pool checks in a witness's
 * answer (c2sp.org/tlog-witness): its TLS pin and its
 * c2sp.org/tlog-cosignature v1 lines. */
#include "config.h"

#include <gnutls/abstract.h>
#include <gnutls/x509.h>
#include <string.h>

#include "cw-cosignature.h"
#include "cw-encoding.h"
#include "cw-witness-pool-private.h"

#define SIGNATURE_PREFIX "\xe2\x80\x94 "

G_DEFINE_AUTO_CLEANUP_FREE_FUNC (gnutls_x509_crt_t, gnutls_x509_crt_deinit, NULL)
G_DEFINE_AUTO_CLEANUP_FREE_FUNC (gnutls_pubkey_t, gnutls_pubkey_deinit, NULL)

/* base64 SHA-256 of the certificate's DER SubjectPublicKeyInfo. */
static char *
compute_pin (GTlsCertificate *certificate)
{
  g_autoptr(GByteArray) der = NULL;
  g_auto(gnutls_x509_crt_t) crt = NULL;
  g_auto(gnutls_pubkey_t) pubkey = NULL;
  gnutls_datum_t datum;
  gnutls_datum_t spki = { NULL, 0 };
  guint8 digest[CW_HASH_SIZE];

  g_object_get (certificate, "certificate", &der, NULL);
  if (der == NULL)
    return NULL;

  datum.data = der->data;
  datum.size = der->len;
  if (gnutls_x509_crt_init (&crt) < 0 ||
      gnutls_x509_crt_import (crt, &datum, GNUTLS_X509_FMT_DER) < 0 ||
      gnutls_pubkey_init (&pubkey) < 0 ||
      gnutls_pubkey_import_x509 (pubkey, crt, 0) < 0 ||
      gnutls_pubkey_export2 (pubkey, GNUTLS_X509_FMT_DER, &spki) < 0)
    return NULL;

  cw_sha256 (spki.data, spki.size, digest);
  gnutls_free (spki.data);

  return cw_base64_encode (digest, sizeof digest);
}

gboolean
cw_witness_pool_certificate_matches_pin (GTlsCertificate *certificate,
                                         const char      *pin)
{
  g_autofree char *actual = certificate != NULL ? compute_pin (certificate) : NULL;

  return actual != NULL && g_str_equal (actual, pin);
}

/* Verifies the response lines against the witness's key. Lines by other
 * keys are ignored, as the spec asks. */
CwWitnessCosignature *
cw_witness_pool_parse_cosignature (CwVerifierKey  *key,
                                   const char     *text,
                                   GBytes         *response,
                                   GError        **error)
{
  gsize len = 0;
  const char *body = g_bytes_get_data (response, &len);
  g_autofree char *copy = NULL;
  g_auto(GStrv) lines = NULL;
  const char *name = cw_verifier_key_get_name (key);
  CwWitnessCosignature *found = NULL;

  if (len == 0 || memchr (body, '\0', len) != NULL || body[len - 1] != '\n' ||
      !g_utf8_validate (body, len, NULL))
    {
      g_set_error_literal (error, CW_WITNESS_POOL_ERROR, CW_WITNESS_POOL_ERROR_INVALID,
                           "The answer is not signature lines");
      return NULL;
    }

  copy = g_strndup (body, len - 1);
  lines = g_strsplit (copy, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *rest;
      const char *space;
      g_autoptr(GBytes) blob = NULL;
      const guint8 *sig;
      gsize sig_len = 0;
      guint32 key_id;
      guint64 time = 0;

      if (!g_str_has_prefix (lines[i], SIGNATURE_PREFIX) ||
          (space = strrchr (lines[i], ' ')) == NULL ||
          (rest = lines[i] + strlen (SIGNATURE_PREFIX)) >= space)
        {
          g_set_error (error, CW_WITNESS_POOL_ERROR, CW_WITNESS_POOL_ERROR_INVALID,
                       "Line %u of the answer is not a signature line", i + 1);
          g_clear_pointer (&found, cw_witness_cosignature_free);
          return NULL;
        }

      blob = cw_base64_decode (space + 1, -1, NULL);
      if ((gsize) (space - rest) != strlen (name) || strncmp (rest, name, space - rest) != 0 ||
          blob == NULL || g_bytes_get_size (blob) < 4)
        continue;

      sig = g_bytes_get_data (blob, &sig_len);
      key_id = ((guint32) sig[0] << 24) | ((guint32) sig[1] << 16) |
               ((guint32) sig[2] << 8) | sig[3];
      if (key_id != cw_verifier_key_get_key_id (key))
        continue;

      if (!cw_cosignature_verify (key, text, strlen (text), sig + 4, sig_len - 4,
                                  &time, error))
        {
          g_clear_pointer (&found, cw_witness_cosignature_free);
          return NULL;
        }

      if (found == NULL)
        {
          found = g_new0 (CwWitnessCosignature, 1);
          found->witness = g_strdup (name);
          found->line = g_strdup (lines[i]);
          found->time = time;
        }
    }

  if (found == NULL)
    g_set_error_literal (error, CW_WITNESS_POOL_ERROR, CW_WITNESS_POOL_ERROR_INVALID,
                         "The answer has no cosignature by the witness's key");

  return found;
}


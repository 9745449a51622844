/* cw-node-tls.c: the node's TLS identity: a self-signed certificate for
 * local use, loading it for the server, and its public key pin. */
#include "config.h"

#include <glib/gstdio.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <string.h>

#include "cw-encoding.h"
#include "cw-node-secret-file.h"
#include "cw-node-tls.h"

#define MAX_CERT_FILE_SIZE (1024 * 1024)

G_DEFINE_QUARK (cw-node-tls-error-quark, cw_node_tls_error)

G_DEFINE_AUTO_CLEANUP_FREE_FUNC (gnutls_x509_crt_t, gnutls_x509_crt_deinit, NULL)
G_DEFINE_AUTO_CLEANUP_FREE_FUNC (gnutls_x509_privkey_t, gnutls_x509_privkey_deinit, NULL)
G_DEFINE_AUTO_CLEANUP_FREE_FUNC (gnutls_pubkey_t, gnutls_pubkey_deinit, NULL)

static void
datum_clear (gnutls_datum_t *datum)
{
  if (datum->data != NULL)
    {
      gnutls_memset (datum->data, 0, datum->size);
      gnutls_free (datum->data);
    }
  datum->data = NULL;
  datum->size = 0;
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (gnutls_datum_t, datum_clear)

static gboolean
check_gnutls (int          ret,
              const char  *what,
              GError     **error)
{
  if (ret >= 0)
    return TRUE;

  g_set_error (error, CW_NODE_TLS_ERROR, CW_NODE_TLS_ERROR_FAILED,
               "Could not %s: %s", what, gnutls_strerror (ret));
  return FALSE;
}

gboolean
cw_node_tls_generate_self_signed (const char  *cert_path,
                                  const char  *key_path,
                                  GError     **error)
{
  g_auto(gnutls_x509_privkey_t) key = NULL;
  g_auto(gnutls_x509_crt_t) crt = NULL;
  g_auto(gnutls_datum_t) key_pem = { NULL, 0 };
  g_auto(gnutls_datum_t) crt_pem = { NULL, 0 };
  static const char common_name[] = "127.0.0.1";
  static const char dns_name[] = "localhost";
  static const guint8 loopback[4] = { 127, 0, 0, 1 };
  guint8 serial[16];
  guint8 key_id[64];
  size_t key_id_size = sizeof key_id;
  time_t now = time (NULL);

  g_return_val_if_fail (cert_path != NULL, FALSE);
  g_return_val_if_fail (key_path != NULL, FALSE);

  if (!check_gnutls (gnutls_x509_privkey_init (&key), "allocate a key", error) ||
      !check_gnutls (gnutls_x509_privkey_generate2 (key, GNUTLS_PK_ECDSA,
                                                    GNUTLS_CURVE_TO_BITS (GNUTLS_ECC_CURVE_SECP256R1),
                                                    0, NULL, 0),
                     "generate a P-256 key", error))
    return FALSE;

  /* A positive serial number of 127 random bits (RFC 5280 §4.1.2.2). */
  if (!check_gnutls (gnutls_rnd (GNUTLS_RND_NONCE, serial, sizeof serial),
                     "make a serial number", error))
    return FALSE;
  serial[0] &= 0x7f;
  serial[0] |= 0x01;

  if (!check_gnutls (gnutls_x509_crt_init (&crt), "allocate a certificate", error) ||
      !check_gnutls (gnutls_x509_crt_set_version (crt, 3), "set the version", error) ||
      !check_gnutls (gnutls_x509_crt_set_serial (crt, serial, sizeof serial),
                     "set the serial number", error) ||
      /* A minute of slack for clocks that are slightly behind. */
      !check_gnutls (gnutls_x509_crt_set_activation_time (crt, now - 60),
                     "set the start of validity", error) ||
      !check_gnutls (gnutls_x509_crt_set_expiration_time (crt, now + CW_NODE_TLS_VALIDITY_DAYS * 24 * 3600),
                     "set the end of validity", error) ||
      !check_gnutls (gnutls_x509_crt_set_dn_by_oid (crt, GNUTLS_OID_X520_COMMON_NAME, 0,
                                                   common_name, strlen (common_name)),
                     "set the subject", error) ||
      !check_gnutls (gnutls_x509_crt_set_subject_alt_name (crt, GNUTLS_SAN_IPADDRESS,
                                                          loopback, sizeof loopback,
                                                          GNUTLS_FSAN_APPEND),
                     "add the IP address", error) ||
      !check_gnutls (gnutls_x509_crt_set_subject_alt_name (crt, GNUTLS_SAN_DNSNAME,
                                                          dns_name, strlen (dns_name),
                                                          GNUTLS_FSAN_APPEND),
                     "add the host name", error) ||
      !check_gnutls (gnutls_x509_crt_set_key (crt, key), "set the public key", error) ||
      !check_gnutls (gnutls_x509_crt_set_basic_constraints (crt, 0, -1),
                     "set basic constraints", error) ||
      !check_gnutls (gnutls_x509_crt_set_key_usage (crt, GNUTLS_KEY_DIGITAL_SIGNATURE),
                     "set the key usage", error) ||
      !check_gnutls (gnutls_x509_crt_set_key_purpose_oid (crt, GNUTLS_KP_TLS_WWW_SERVER, 0),
                     "set the extended key usage", error) ||
      !check_gnutls (gnutls_x509_crt_get_key_id (crt, 0, key_id, &key_id_size),
                     "compute the key identifier", error) ||
      !check_gnutls (gnutls_x509_crt_set_subject_key_id (crt, key_id, key_id_size),
                     "set the key identifier", error) ||
      !check_gnutls (gnutls_x509_crt_sign2 (crt, crt, key, GNUTLS_DIG_SHA256, 0),
                     "sign the certificate", error))
    return FALSE;

  if (!check_gnutls (gnutls_x509_privkey_export2_pkcs8 (key, GNUTLS_X509_FMT_PEM, NULL,
                                                        GNUTLS_PKCS_PLAIN, &key_pem),
                     "export the key", error) ||
      !check_gnutls (gnutls_x509_crt_export2 (crt, GNUTLS_X509_FMT_PEM, &crt_pem),
                     "export the certificate", error))
    return FALSE;

  if (!cw_node_secret_file_write (key_path, key_pem.data, key_pem.size, error))
    return FALSE;

  if (!cw_node_secret_file_write (cert_path, crt_pem.data, crt_pem.size, error))
    {
      g_unlink (key_path);
      return FALSE;
    }

  return TRUE;
}

GTlsCertificate *
cw_node_tls_load (const char  *cert_path,
                  const char  *key_path,
                  GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  GTlsCertificate *cert;

  cert = g_tls_certificate_new_from_files (cert_path, key_path, &local_error);
  if (cert == NULL)
    {
      g_set_error (error, CW_NODE_TLS_ERROR, CW_NODE_TLS_ERROR_INVALID,
                   "Could not load the TLS certificate “%s” with key “%s”: %s",
                   cert_path, key_path, local_error->message);
      return NULL;
    }

  return cert;
}

char *
cw_node_tls_compute_pin (const char  *cert_path,
                         GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *contents = NULL;
  g_auto(gnutls_x509_crt_t) crt = NULL;
  g_auto(gnutls_pubkey_t) pubkey = NULL;
  g_auto(gnutls_datum_t) spki = { NULL, 0 };
  gnutls_datum_t pem;
  guint8 digest[CW_HASH_SIZE];
  gsize len = 0;
  int ret;

  if (!g_file_get_contents (cert_path, &contents, &len, &local_error))
    {
      g_set_error (error, CW_NODE_TLS_ERROR, CW_NODE_TLS_ERROR_INVALID,
                   "Could not read the TLS certificate: %s", local_error->message);
      return NULL;
    }

  if (len > MAX_CERT_FILE_SIZE)
    {
      g_set_error (error, CW_NODE_TLS_ERROR, CW_NODE_TLS_ERROR_INVALID,
                   "“%s” is too large to be a certificate", cert_path);
      return NULL;
    }

  pem.data = (unsigned char *) contents;
  pem.size = len;

  if (gnutls_x509_crt_init (&crt) < 0 ||
      (ret = gnutls_x509_crt_import (crt, &pem, GNUTLS_X509_FMT_PEM)) < 0)
    {
      g_set_error (error, CW_NODE_TLS_ERROR, CW_NODE_TLS_ERROR_INVALID,
                   "“%s” is not a PEM certificate", cert_path);
      return NULL;
    }

  if (!check_gnutls (gnutls_pubkey_init (&pubkey), "allocate a public key", error) ||
      !check_gnutls (gnutls_pubkey_import_x509 (pubkey, crt, 0),
                     "read the certificate's public key", error) ||
      !check_gnutls (gnutls_pubkey_export2 (pubkey, GNUTLS_X509_FMT_DER, &spki),
                     "export the certificate's public key", error))
    return NULL;

  cw_sha256 (spki.data, spki.size, digest);

  return cw_base64_encode (digest, sizeof digest);
}

/* cw-tls-pin.c: SPKI SHA-256 pins read from a certificate's DER (a minimal
 * walk of RFC 5280's TBSCertificate, since GLib exposes no public key) and
 * the GTlsDatabase that enforces them.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "cw-encoding.h"
#include "cw-tls-pin.h"

#define DER_SEQUENCE 0x30
#define DER_INTEGER 0x02
#define DER_CONTEXT_0 0xa0

struct _CwTlsPinDatabase
{
  GTlsDatabase parent_instance;

  char *pin;
};

enum {
  PROP_0,
  PROP_PIN,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_QUARK (cw-tls-pin-error-quark, cw_tls_pin_error)

G_DEFINE_FINAL_TYPE (CwTlsPinDatabase, cw_tls_pin_database, G_TYPE_TLS_DATABASE)

/* Reads one DER TLV at @*offset within [0, @len): its tag, where its content
 * starts and how long it is; advances @*offset past it. */
static gboolean
der_next (const guint8 *data,
          gsize         len,
          gsize        *offset,
          guint8       *tag,
          gsize        *content,
          gsize        *content_len)
{
  gsize pos = *offset;
  gsize n = 0;

  if (pos + 2 > len)
    return FALSE;
  *tag = data[pos++];
  if ((*tag & 0x1f) == 0x1f)
    return FALSE;  /* high tag numbers never occur where we look */

  if (data[pos] < 0x80)
    {
      n = data[pos++];
    }
  else
    {
      guint n_bytes = data[pos++] & 0x7f;

      if (n_bytes == 0 || n_bytes > 4 || pos + n_bytes > len)
        return FALSE;
      for (guint i = 0; i < n_bytes; i++)
        n = (n << 8) | data[pos++];
    }

  if (n > len - pos)
    return FALSE;

  *content = pos;
  *content_len = n;
  *offset = pos + n;
  return TRUE;
}

/* Finds the DER SubjectPublicKeyInfo (tag and length included). */
static gboolean
find_spki (const guint8  *der,
           gsize          len,
           gsize         *spki_start,
           gsize         *spki_len)
{
  gsize offset = 0, content, content_len, tbs_end;
  guint8 tag;

  /* Certificate ::= SEQUENCE { tbsCertificate, ... } */
  if (!der_next (der, len, &offset, &tag, &content, &content_len) || tag != DER_SEQUENCE)
    return FALSE;
  offset = content;
  if (!der_next (der, len, &offset, &tag, &content, &content_len) || tag != DER_SEQUENCE)
    return FALSE;
  tbs_end = content + content_len;
  offset = content;

  /* [0] version (optional), serialNumber, signature, issuer, validity,
   * subject, subjectPublicKeyInfo. */
  for (guint field = 0; field < 7; field++)
    {
      gsize start = offset;

      if (!der_next (der, tbs_end, &offset, &tag, &content, &content_len))
        return FALSE;
      if (field == 0)
        {
          if (tag == DER_CONTEXT_0)
            continue;
          field++;  /* no version: this was the serial number */
        }
      if (field == 1 && tag != DER_INTEGER)
        return FALSE;
      if (field >= 2 && tag != DER_SEQUENCE)
        return FALSE;
      if (field == 6)
        {
          *spki_start = start;
          *spki_len = offset - start;
          return TRUE;
        }
    }

  return FALSE;
}

char *
cw_tls_pin_for_certificate (GTlsCertificate  *certificate,
                            GError          **error)
{
  g_autoptr(GByteArray) der = NULL;
  guint8 digest[CW_HASH_SIZE];
  gsize start, spki_len;

  g_return_val_if_fail (G_IS_TLS_CERTIFICATE (certificate), NULL);

  g_object_get (certificate, "certificate", &der, NULL);
  if (der == NULL || !find_spki (der->data, der->len, &start, &spki_len))
    {
      g_set_error_literal (error, CW_TLS_PIN_ERROR, CW_TLS_PIN_ERROR_INVALID,
                           _("The server's certificate could not be read"));
      return NULL;
    }

  cw_sha256 (der->data + start, spki_len, digest);
  return cw_base64_encode (digest, sizeof digest);
}

gboolean
cw_tls_pin_matches (GTlsCertificate *certificate,
                    const char      *pin)
{
  g_autofree char *actual = NULL;

  if (certificate == NULL || pin == NULL)
    return FALSE;

  actual = cw_tls_pin_for_certificate (certificate, NULL);
  return actual != NULL && strlen (actual) == strlen (pin) &&
         cw_memequal ((const guint8 *) actual, (const guint8 *) pin, strlen (pin));
}

static GTlsCertificateFlags
cw_tls_pin_database_verify_chain (GTlsDatabase             *database,
                                  GTlsCertificate          *chain,
                                  const char               *purpose,
                                  GSocketConnectable       *identity,
                                  GTlsInteraction          *interaction,
                                  GTlsDatabaseVerifyFlags   flags,
                                  GCancellable             *cancellable,
                                  GError                  **error)
{
  CwTlsPinDatabase *self = CW_TLS_PIN_DATABASE (database);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return G_TLS_CERTIFICATE_GENERIC_ERROR;

  /* The pin replaces both the CA and the name check: it names the key. */
  if (g_strcmp0 (purpose, G_TLS_DATABASE_PURPOSE_AUTHENTICATE_SERVER) == 0 &&
      cw_tls_pin_matches (chain, self->pin))
    return 0;

  return G_TLS_CERTIFICATE_UNKNOWN_CA;
}

static GTlsCertificate *
cw_tls_pin_database_lookup_certificate_issuer (GTlsDatabase             *database,
                                               GTlsCertificate          *certificate,
                                               GTlsInteraction          *interaction,
                                               GTlsDatabaseLookupFlags   flags,
                                               GCancellable             *cancellable,
                                               GError                  **error)
{
  return NULL;
}

static GList *
cw_tls_pin_database_lookup_certificates_issued_by (GTlsDatabase             *database,
                                                   GByteArray               *issuer_raw_dn,
                                                   GTlsInteraction          *interaction,
                                                   GTlsDatabaseLookupFlags   flags,
                                                   GCancellable             *cancellable,
                                                   GError                  **error)
{
  return NULL;
}

static void
cw_tls_pin_database_finalize (GObject *object)
{
  CwTlsPinDatabase *self = CW_TLS_PIN_DATABASE (object);

  g_free (self->pin);

  G_OBJECT_CLASS (cw_tls_pin_database_parent_class)->finalize (object);
}

static void
cw_tls_pin_database_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  CwTlsPinDatabase *self = CW_TLS_PIN_DATABASE (object);

  switch (prop_id)
    {
    case PROP_PIN:
      g_value_set_string (value, self->pin);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cw_tls_pin_database_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  CwTlsPinDatabase *self = CW_TLS_PIN_DATABASE (object);

  switch (prop_id)
    {
    case PROP_PIN:
      self->pin = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cw_tls_pin_database_class_init (CwTlsPinDatabaseClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GTlsDatabaseClass *database_class = G_TLS_DATABASE_CLASS (klass);

  object_class->finalize = cw_tls_pin_database_finalize;
  object_class->get_property = cw_tls_pin_database_get_property;
  object_class->set_property = cw_tls_pin_database_set_property;

  database_class->verify_chain = cw_tls_pin_database_verify_chain;
  database_class->lookup_certificate_issuer = cw_tls_pin_database_lookup_certificate_issuer;
  database_class->lookup_certificates_issued_by = cw_tls_pin_database_lookup_certificates_issued_by;

  properties[PROP_PIN] =
    g_param_spec_string ("pin", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS |
                         G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cw_tls_pin_database_init (CwTlsPinDatabase *self)
{
}

GTlsDatabase *
cw_tls_pin_database_new (const char  *pin,
                         GError     **error)
{
  guint8 digest[CW_HASH_SIZE];

  g_return_val_if_fail (pin != NULL, NULL);

  if (!cw_base64_decode_fixed (pin, -1, digest, sizeof digest, NULL))
    {
      g_set_error (error, CW_TLS_PIN_ERROR, CW_TLS_PIN_ERROR_INVALID,
                   _("The node's certificate pin “%s” is not the base64 of a SHA-256 hash. "
                     "Enter the “tls-pin” your clinic gave you."), pin);
      return NULL;
    }

  return g_object_new (CW_TYPE_TLS_PIN_DATABASE, "pin", pin, NULL);
}

const char *
cw_tls_pin_database_get_pin (CwTlsPinDatabase *self)
{
  g_return_val_if_fail (CW_IS_TLS_PIN_DATABASE (self), NULL);

  return self->pin;
}

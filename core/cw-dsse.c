/* cw-dsse.c: DSSE v1 envelopes with Ed25519 signatures, per
 * github.com/secure-systems-lab/dsse (protocol.md: PAE and signing;
 * envelope.md: the JSON envelope) and the choices in cw-dsse.h.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "cw-canonical-json.h"
#include "cw-dsse.h"
#include "cw-encoding.h"
#include "cw-json-reader.h"

G_DEFINE_QUARK (cw-dsse-error-quark, cw_dsse_error)

typedef struct {
  char   *key_id;
  guint8  sig[CW_SIGNATURE_SIZE];
} Signature;

struct _CwDsseEnvelope {
  gatomicrefcount  ref_count;
  char            *payload_type;
  GBytes          *payload;
  GPtrArray       *signatures;   /* of Signature */
};

static void
signature_free (gpointer data)
{
  Signature *sig = data;

  g_free (sig->key_id);
  g_free (sig);
}

static CwDsseEnvelope *
envelope_new (const char *payload_type,
              GBytes     *payload)
{
  CwDsseEnvelope *self = g_new0 (CwDsseEnvelope, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->payload_type = g_strdup (payload_type);
  self->payload = g_bytes_ref (payload);
  self->signatures = g_ptr_array_new_with_free_func (signature_free);
  return self;
}

CwDsseEnvelope *
cw_dsse_envelope_ref (CwDsseEnvelope *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
cw_dsse_envelope_unref (CwDsseEnvelope *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  g_free (self->payload_type);
  g_bytes_unref (self->payload);
  g_ptr_array_unref (self->signatures);
  g_free (self);
}

GBytes *
cw_dsse_pae (const char   *payload_type,
             const guint8 *payload,
             gsize         payload_len)
{
  GString *pae;

  g_return_val_if_fail (payload_type != NULL, NULL);
  g_return_val_if_fail (payload != NULL || payload_len == 0, NULL);

  pae = g_string_sized_new (payload_len + strlen (payload_type) + 32);
  g_string_append_printf (pae, "DSSEv1 %" G_GSIZE_FORMAT " %s %" G_GSIZE_FORMAT " ",
                          strlen (payload_type), payload_type, payload_len);
  g_string_append_len (pae, (const char *) payload, payload_len);

  return g_string_free_to_bytes (pae);
}

char *
cw_dsse_key_id (const guint8 public_key[CW_PUBLIC_KEY_SIZE])
{
  guint8 digest[CW_HASH_SIZE];

  g_return_val_if_fail (public_key != NULL, NULL);

  cw_sha256 (public_key, CW_PUBLIC_KEY_SIZE, digest);
  return cw_hex_encode (digest, sizeof digest);
}

static const Signature *
find_signature (CwDsseEnvelope *self,
                const char     *key_id)
{
  for (guint i = 0; i < self->signatures->len; i++)
    {
      const Signature *sig = g_ptr_array_index (self->signatures, i);

      if (strcmp (sig->key_id, key_id) == 0)
        return sig;
    }
  return NULL;
}

static void
sign_pae (CwDsseEnvelope *self,
          CwSigningKey   *key,
          guint8          sig_out[CW_SIGNATURE_SIZE])
{
  gsize len;
  const guint8 *payload = g_bytes_get_data (self->payload, &len);
  g_autoptr(GBytes) pae = cw_dsse_pae (self->payload_type, payload, len);
  const guint8 *pae_data = g_bytes_get_data (pae, &len);

  cw_signing_key_sign (key, pae_data, len, sig_out);
}

gboolean
cw_dsse_envelope_add_signature (CwDsseEnvelope  *self,
                                CwSigningKey    *key,
                                GError         **error)
{
  g_autofree char *key_id = NULL;
  Signature *sig;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  key_id = cw_dsse_key_id (cw_signing_key_get_public_key (key));
  if (find_signature (self, key_id) != NULL)
    {
      g_set_error_literal (error, CW_DSSE_ERROR, CW_DSSE_ERROR_MALFORMED,
                           _("The envelope is already signed with this key"));
      return FALSE;
    }
  if (self->signatures->len >= CW_DSSE_MAX_SIGNATURES)
    {
      g_set_error (error, CW_DSSE_ERROR, CW_DSSE_ERROR_TOO_LARGE,
                   _("An envelope holds at most %d signatures"), CW_DSSE_MAX_SIGNATURES);
      return FALSE;
    }

  sig = g_new0 (Signature, 1);
  sig->key_id = g_steal_pointer (&key_id);
  sign_pae (self, key, sig->sig);
  g_ptr_array_add (self->signatures, sig);
  return TRUE;
}

CwDsseEnvelope *
cw_dsse_envelope_sign (GBytes        *payload,
                       CwSigningKey  *key,
                       GError       **error)
{
  g_autoptr(CwDsseEnvelope) self = NULL;

  g_return_val_if_fail (payload != NULL, NULL);
  g_return_val_if_fail (key != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (g_bytes_get_size (payload) > CW_DSSE_MAX_PAYLOAD_SIZE)
    {
      g_set_error (error, CW_DSSE_ERROR, CW_DSSE_ERROR_TOO_LARGE,
                   _("The payload is larger than %d bytes"), CW_DSSE_MAX_PAYLOAD_SIZE);
      return NULL;
    }

  self = envelope_new (CW_DSSE_PAYLOAD_TYPE, payload);
  if (!cw_dsse_envelope_add_signature (self, key, error))
    return NULL;
  return g_steal_pointer (&self);
}

/* ---- parsing ----------------------------------------------------------- */

G_GNUC_PRINTF (2, 3)
static gboolean
malformed (GError     **error,
           const char  *format,
           ...)
{
  g_autofree char *what = NULL;
  va_list args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error (error, CW_DSSE_ERROR, CW_DSSE_ERROR_MALFORMED,
               _("Malformed DSSE envelope: %s"), what);
  return FALSE;
}

/* One element of "signatures" as read, checked once all are read so that
 * the count is judged before the contents, as the protocol orders it. */
typedef struct {
  gboolean  is_object;
  char     *key_id;
  char     *sig;
  char     *problem;   /* a member that is not a string, or not known */
} RawSignature;

static void
raw_signature_free (gpointer data)
{
  RawSignature *raw = data;

  g_free (raw->key_id);
  g_free (raw->sig);
  g_free (raw->problem);
  g_free (raw);
}

static gboolean
parse_signature (CwDsseEnvelope  *self,
                 RawSignature    *raw,
                 GError         **error)
{
  guint8 raw_id[CW_HASH_SIZE];
  g_autofree Signature *sig = g_new0 (Signature, 1);

  if (!raw->is_object)
    return malformed (error, _("a signature must be an object"));
  if (raw->problem != NULL)
    return malformed (error, "%s", raw->problem);
  if (raw->key_id == NULL)
    return malformed (error, _("no “keyid”"));
  if (raw->sig == NULL)
    return malformed (error, _("no “sig”"));

  if (strlen (raw->key_id) != CW_DSSE_KEY_ID_LEN ||
      !cw_hex_decode_fixed (raw->key_id, -1, raw_id, sizeof raw_id, NULL))
    return malformed (error, _("keyid must be 64 lower-case hex digits"));
  if (!cw_base64_decode_fixed (raw->sig, -1, sig->sig, CW_SIGNATURE_SIZE, NULL))
    return malformed (error, _("sig must be standard base64 of a 64-byte signature"));
  if (find_signature (self, raw->key_id) != NULL)
    return malformed (error, _("two signatures with the same keyid"));

  sig->key_id = g_steal_pointer (&raw->key_id);
  g_ptr_array_add (self->signatures, g_steal_pointer (&sig));
  return TRUE;
}

static gboolean
parse_signatures (CwDsseEnvelope  *self,
                  GPtrArray       *raws,
                  GError         **error)
{
  if (raws->len == 0)
    return malformed (error, _("no signatures"));
  if (raws->len > CW_DSSE_MAX_SIGNATURES)
    {
      g_set_error (error, CW_DSSE_ERROR, CW_DSSE_ERROR_TOO_LARGE,
                   _("An envelope holds at most %d signatures"), CW_DSSE_MAX_SIGNATURES);
      return FALSE;
    }

  for (guint i = 0; i < raws->len; i++)
    if (!parse_signature (self, g_ptr_array_index (raws, i), error))
      return FALSE;
  return TRUE;
}

/* A string member's value into @slot; another type is a problem described
 * in @problem (the first one counts) and is stepped over. */
static gboolean
read_string_member (CwJsonReader  *reader,
                    const char    *name,
                    char         **slot,
                    char         **problem)
{
  if (cw_json_reader_peek (reader) != '"')
    {
      if (*problem == NULL)
        *problem = g_strdup_printf (_("“%s” must be a string"), name);
      return cw_json_reader_skip (reader);
    }
  g_free (*slot);
  *slot = cw_json_reader_read_string (reader);
  if (*slot == NULL && *problem == NULL)
    *problem = g_strdup_printf (_("“%s” must be a string"), name);
  return *slot != NULL;
}

/* The elements of the "signatures" array, objects or not. */
static gboolean
read_signatures (CwJsonReader  *reader,
                 GPtrArray     *raws)
{
  gboolean bad = FALSE;

  while (cw_json_reader_next_element (reader, &bad))
    {
      RawSignature *raw = g_new0 (RawSignature, 1);
      char *name;

      g_ptr_array_add (raws, raw);
      if (!cw_json_reader_begin (reader, '{'))
        {
          if (!cw_json_reader_skip (reader))
            return FALSE;
          continue;
        }

      raw->is_object = TRUE;
      while (cw_json_reader_next_member (reader, &name, &bad))
        {
          g_autofree char *owned = name;
          gboolean ok;

          if (g_str_equal (name, "keyid"))
            ok = read_string_member (reader, "keyid", &raw->key_id, &raw->problem);
          else if (g_str_equal (name, "sig"))
            ok = read_string_member (reader, "sig", &raw->sig, &raw->problem);
          else
            {
              if (raw->problem == NULL)
                raw->problem = g_strdup (_("unexpected members"));
              ok = cw_json_reader_skip (reader);
            }
          if (!ok && raw->problem == NULL)
            return FALSE;
        }
      if (bad)
        return FALSE;
    }
  return !bad;
}

static GBytes *
decode_payload (const char  *text,
                GError     **error)
{
  g_autoptr(GBytes) payload = NULL;

  /* Standard base64 with padding: 4 characters per 3 bytes. */
  if (strlen (text) > (CW_DSSE_MAX_PAYLOAD_SIZE + 2) / 3 * 4)
    {
      g_set_error (error, CW_DSSE_ERROR, CW_DSSE_ERROR_TOO_LARGE,
                   _("The payload is larger than %d bytes"), CW_DSSE_MAX_PAYLOAD_SIZE);
      return NULL;
    }
  if ((payload = cw_base64_decode (text, -1, NULL)) == NULL)
    {
      malformed (error, _("payload must be standard base64"));
      return NULL;
    }
  return g_steal_pointer (&payload);
}

CwDsseEnvelope *
cw_dsse_envelope_parse (const char  *data,
                        gsize        len,
                        GError     **error)
{
  g_autoptr(GError) json_error = NULL;
  g_autoptr(CwDsseEnvelope) self = NULL;
  g_autoptr(GBytes) payload = NULL;
  g_autoptr(GPtrArray) raws = g_ptr_array_new_with_free_func (raw_signature_free);
  g_autofree char *payload_text = NULL;
  g_autofree char *payload_type = NULL;
  g_autofree char *problem = NULL;
  gboolean has_payload = FALSE, has_type = FALSE, has_signatures = FALSE, bad = FALSE;
  CwJsonReader reader;
  char *name;

  g_return_val_if_fail (data != NULL || len == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (len > CW_DSSE_MAX_ENVELOPE_SIZE)
    {
      g_set_error (error, CW_DSSE_ERROR, CW_DSSE_ERROR_TOO_LARGE,
                   _("The envelope is larger than %d bytes"), CW_DSSE_MAX_ENVELOPE_SIZE);
      return NULL;
    }
  /* Strict JSON first (UTF-8, no duplicate names, depth, no U+0000, which
   * would cut the payload type short); then a walk over the checked text
   * instead of a json-glib tree, which cost more than the rest of the parse
   * together. */
  if (!cw_canonical_json_check_document ((const guint8 *) data, len, &json_error))
    {
      malformed (error, "%s", json_error->message);
      return NULL;
    }
  cw_json_reader_init (&reader, data, len);
  if (!cw_json_reader_begin (&reader, '{'))
    {
      malformed (error, _("not a JSON object"));
      return NULL;
    }

  while (cw_json_reader_next_member (&reader, &name, &bad))
    {
      g_autofree char *owned = name;

      if (g_str_equal (name, "payload"))
        {
          has_payload = TRUE;
          read_string_member (&reader, "payload", &payload_text, &problem);
        }
      else if (g_str_equal (name, "payloadType"))
        {
          has_type = TRUE;
          read_string_member (&reader, "payloadType", &payload_type, &problem);
        }
      else if (g_str_equal (name, "signatures"))
        {
          has_signatures = TRUE;
          if (!cw_json_reader_begin (&reader, '['))
            {
              if (problem == NULL)
                problem = g_strdup (_("“signatures” must be an array"));
              if (!cw_json_reader_skip (&reader))
                bad = TRUE;
            }
          else if (!read_signatures (&reader, raws))
            {
              malformed (error, _("a signature could not be read"));
              return NULL;
            }
        }
      else
        {
          if (problem == NULL)
            problem = g_strdup (_("unexpected members"));
          if (!cw_json_reader_skip (&reader))
            bad = TRUE;
        }
      if (bad)
        break;
    }
  if (bad)
    {
      malformed (error, _("the envelope is cut short"));
      return NULL;
    }

  if (!has_payload || !has_type || !has_signatures)
    {
      malformed (error, _("no “%s”"), !has_payload ? "payload" : !has_type ? "payloadType" : "signatures");
      return NULL;
    }
  if (problem != NULL)
    {
      malformed (error, "%s", problem);
      return NULL;
    }

  if (strcmp (payload_type, CW_DSSE_PAYLOAD_TYPE) != 0)
    {
      g_set_error (error, CW_DSSE_ERROR, CW_DSSE_ERROR_PAYLOAD_TYPE,
                   _("Unexpected payload type; expected %s"), CW_DSSE_PAYLOAD_TYPE);
      return NULL;
    }
  if ((payload = decode_payload (payload_text, error)) == NULL)
    return NULL;

  self = envelope_new (payload_type, payload);
  if (!parse_signatures (self, raws, error))
    return NULL;

  return g_steal_pointer (&self);
}

/* ---- verification and accessors ---------------------------------------- */

gboolean
cw_dsse_envelope_verify (CwDsseEnvelope  *self,
                         CwVerifierKey   *key,
                         GError         **error)
{
  g_autofree char *key_id = NULL;
  g_autoptr(GBytes) pae = NULL;
  const Signature *sig;
  const guint8 *data;
  gsize len;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  key_id = cw_dsse_key_id (cw_verifier_key_get_public_key (key));
  if ((sig = find_signature (self, key_id)) == NULL)
    {
      g_set_error (error, CW_DSSE_ERROR, CW_DSSE_ERROR_NO_SIGNATURE,
                   _("The envelope is not signed by key %s"), key_id);
      return FALSE;
    }

  data = g_bytes_get_data (self->payload, &len);
  pae = cw_dsse_pae (self->payload_type, data, len);
  data = g_bytes_get_data (pae, &len);
  if (!cw_verifier_key_verify (key, data, len, sig->sig))
    {
      g_set_error (error, CW_DSSE_ERROR, CW_DSSE_ERROR_BAD_SIGNATURE,
                   _("The signature by key %s does not verify"), key_id);
      return FALSE;
    }
  return TRUE;
}

GBytes *
cw_dsse_envelope_get_payload (CwDsseEnvelope *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return g_bytes_ref (self->payload);
}

const char *
cw_dsse_envelope_get_payload_type (CwDsseEnvelope *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->payload_type;
}

guint
cw_dsse_envelope_get_n_signatures (CwDsseEnvelope *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->signatures->len;
}

const char *
cw_dsse_envelope_get_key_id (CwDsseEnvelope *self,
                             guint           index)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < self->signatures->len, NULL);
  return ((const Signature *) g_ptr_array_index (self->signatures, index))->key_id;
}

static JsonNode *
signature_to_node (const Signature *sig)
{
  g_autoptr(JsonObject) object = json_object_new ();
  g_autofree char *text = cw_base64_encode (sig->sig, CW_SIGNATURE_SIZE);

  json_object_set_string_member (object, "keyid", sig->key_id);
  json_object_set_string_member (object, "sig", text);
  return json_node_init_object (json_node_alloc (), object);
}

char *
cw_dsse_envelope_to_json (CwDsseEnvelope *self,
                          gsize          *len)
{
  g_autoptr(JsonObject) object = json_object_new ();
  g_autoptr(JsonArray) signatures = json_array_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *payload = NULL;
  gsize payload_len;
  const guint8 *payload_data;

  g_return_val_if_fail (self != NULL, NULL);

  payload_data = g_bytes_get_data (self->payload, &payload_len);
  payload = cw_base64_encode (payload_data, payload_len);
  for (guint i = 0; i < self->signatures->len; i++)
    json_array_add_element (signatures, signature_to_node (g_ptr_array_index (self->signatures, i)));

  json_object_set_string_member (object, "payload", payload);
  json_object_set_string_member (object, "payloadType", self->payload_type);
  json_object_set_array_member (object, "signatures", g_steal_pointer (&signatures));
  root = json_node_init_object (json_node_alloc (), object);

  /* Only strings and arrays of our own making: this cannot fail. */
  bytes = cw_canonical_json_encode (root, NULL);
  g_assert (bytes != NULL);
  if (len != NULL)
    *len = g_bytes_get_size (bytes);
  return g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
}

GBytes *
cw_dsse_open (const char     *data,
              gsize           len,
              CwVerifierKey  *key,
              GError        **error)
{
  g_autoptr(CwDsseEnvelope) envelope = NULL;

  if ((envelope = cw_dsse_envelope_parse (data, len, error)) == NULL)
    return NULL;
  if (!cw_dsse_envelope_verify (envelope, key, error))
    return NULL;
  return cw_dsse_envelope_get_payload (envelope);
}

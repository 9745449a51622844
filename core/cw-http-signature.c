/* cw-http-signature.c: RFC 9421 HTTP Message Signatures (Ed25519 subset):
 * the signature base, signing, verifying, and the Signature-Input and
 * Signature fields.
 *
 * RFC 9421: §2.5 signature base, §3.3.6 ed25519, §4.1 Signature-Input, §4.2
 * Signature. The request and its component values (§2.1, §2.2) are in
 * cw-http-request.c, the signature parameters (§2.3) in
 * cw-http-signature-params.c, the RFC 8941 syntax of the two fields in
 * cw-structured-field.c.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "cw-http-request-private.h"
#include "cw-http-signature-params-private.h"
#include "cw-http-signature.h"
#include "cw-structured-field.h"

G_DEFINE_QUARK (cw-http-signature-error-quark, cw_http_signature_error)

static gboolean
signature_fail (GError            **error,
                CwHttpSignatureError code,
                const char          *what,
                const char          *name)
{
  g_set_error (error, CW_HTTP_SIGNATURE_ERROR, code, "%s: “%s”", what, name);
  return FALSE;
}

/* ------------------------------------------------------------------ */
/* Signature base, signing, verifying.                                 */

char *
cw_http_signature_base (CwHttpRequest          *request,
                        CwHttpSignatureParams  *params,
                        GError                **error)
{
  g_autoptr(GString) base = g_string_new (NULL);

  g_return_val_if_fail (request != NULL, NULL);
  g_return_val_if_fail (params != NULL, NULL);

  for (guint i = 0; i < cw_http_signature_params_get_n_components (params); i++)
    {
      const char *name = cw_http_signature_params_get_component (params, i);
      g_autofree char *value = cw_http_request_get_component_value (request, name, error);

      if (value == NULL)
        return NULL;

      cw_structured_field_append_string (base, name);
      g_string_append_printf (base, ": %s\n", value);
    }

  g_string_append (base, "\"@signature-params\": ");
  cw_http_signature_params_append (params, base);
  return g_string_free (g_steal_pointer (&base), FALSE);
}

static gboolean
check_alg (CwHttpSignatureParams  *params,
           CwKeyType               key_type,
           GError                **error)
{
  const char *alg = cw_http_signature_params_get_alg (params);

  if (alg != NULL && !g_str_equal (alg, CW_HTTP_SIGNATURE_ALG_ED25519))
    return signature_fail (error, CW_HTTP_SIGNATURE_ERROR_UNSUPPORTED,
                           _("Unsupported signature algorithm"), alg);
  if (key_type != CW_KEY_TYPE_ED25519)
    return signature_fail (error, CW_HTTP_SIGNATURE_ERROR_UNSUPPORTED,
                           _("HTTP signatures need a plain Ed25519 key"), _("key type"));

  return TRUE;
}

gboolean
cw_http_signature_sign (CwHttpRequest          *request,
                        CwHttpSignatureParams  *params,
                        const char             *label,
                        CwSigningKey           *key,
                        char                  **signature_input,
                        char                  **signature,
                        GError                **error)
{
  g_autoptr(CwHttpSignatures) set = cw_http_signatures_new ();
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *base = NULL;
  guint8 sig[CW_SIGNATURE_SIZE];

  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (label != NULL, FALSE);

  if (!check_alg (params, cw_signing_key_get_key_type (key), error))
    return FALSE;

  base = cw_http_signature_base (request, params, error);
  if (base == NULL)
    return FALSE;

  cw_signing_key_sign (key, (const guint8 *) base, strlen (base), sig);
  bytes = g_bytes_new (sig, sizeof sig);
  if (!cw_http_signatures_add (set, label, params, bytes, error))
    return FALSE;

  if (signature_input != NULL)
    *signature_input = cw_http_signatures_to_signature_input (set);
  if (signature != NULL)
    *signature = cw_http_signatures_to_signature (set);
  return TRUE;
}

gboolean
cw_http_signature_verify (CwHttpRequest          *request,
                          CwHttpSignatureParams  *params,
                          GBytes                 *signature,
                          CwVerifierKey          *key,
                          GError                **error)
{
  g_autofree char *base = NULL;

  g_return_val_if_fail (signature != NULL, FALSE);
  g_return_val_if_fail (key != NULL, FALSE);

  if (!check_alg (params, cw_verifier_key_get_key_type (key), error))
    return FALSE;

  if (g_bytes_get_size (signature) != CW_SIGNATURE_SIZE)
    {
      g_set_error (error, CW_HTTP_SIGNATURE_ERROR, CW_HTTP_SIGNATURE_ERROR_BAD_SIGNATURE,
                   _("An Ed25519 signature has %d bytes, not %zu"),
                   CW_SIGNATURE_SIZE, g_bytes_get_size (signature));
      return FALSE;
    }

  base = cw_http_signature_base (request, params, error);
  if (base == NULL)
    return FALSE;

  if (!cw_verifier_key_verify (key, (const guint8 *) base, strlen (base),
                               g_bytes_get_data (signature, NULL)))
    {
      g_set_error (error, CW_HTTP_SIGNATURE_ERROR, CW_HTTP_SIGNATURE_ERROR_BAD_SIGNATURE,
                   _("The signature does not match the request and key “%s”"),
                   cw_verifier_key_get_name (key));
      return FALSE;
    }

  return TRUE;
}

/* ------------------------------------------------------------------ */
/* CwHttpSignatures                                                    */

typedef struct {
  char                  *label;
  CwHttpSignatureParams *params;
  GBytes                *signature;
} Entry;

struct _CwHttpSignatures {
  GPtrArray *entries;  /* Entry */
};

static void
entry_free (Entry *entry)
{
  g_free (entry->label);
  cw_http_signature_params_unref (entry->params);
  g_bytes_unref (entry->signature);
  g_free (entry);
}

static Entry *
signatures_lookup (CwHttpSignatures *self,
                   const char       *label)
{
  for (guint i = 0; i < self->entries->len; i++)
    {
      Entry *entry = g_ptr_array_index (self->entries, i);

      if (g_str_equal (entry->label, label))
        return entry;
    }

  return NULL;
}

CwHttpSignatures *
cw_http_signatures_new (void)
{
  CwHttpSignatures *self = g_new0 (CwHttpSignatures, 1);

  self->entries = g_ptr_array_new_with_free_func ((GDestroyNotify) entry_free);
  return self;
}

void
cw_http_signatures_free (CwHttpSignatures *self)
{
  if (self == NULL)
    return;

  g_ptr_array_unref (self->entries);
  g_free (self);
}

gboolean
cw_http_signatures_add (CwHttpSignatures       *self,
                        const char             *label,
                        CwHttpSignatureParams  *params,
                        GBytes                 *signature,
                        GError                **error)
{
  Entry *entry;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (params != NULL, FALSE);
  g_return_val_if_fail (signature != NULL, FALSE);

  if (label == NULL || !cw_structured_field_is_key (label))
    return signature_fail (error, CW_HTTP_SIGNATURE_ERROR_MALFORMED,
                           _("Invalid signature label"), label ? label : "(null)");
  if (signatures_lookup (self, label) != NULL)
    return signature_fail (error, CW_HTTP_SIGNATURE_ERROR_MALFORMED,
                           _("Duplicate signature label"), label);
  if (self->entries->len >= CW_HTTP_SIGNATURE_MAX_SIGNATURES)
    return signature_fail (error, CW_HTTP_SIGNATURE_ERROR_TOO_LARGE,
                           _("Too many signatures"), label);

  entry = g_new0 (Entry, 1);
  entry->label = g_strdup (label);
  entry->params = cw_http_signature_params_ref (params);
  entry->signature = g_bytes_ref (signature);
  g_ptr_array_add (self->entries, entry);
  return TRUE;
}

static GBytes *
signature_from_member (CwStructuredFieldMember  *member,
                       GError                  **error)
{
  CwStructuredFieldItem *item;

  if (member->is_inner_list)
    {
      signature_fail (error, CW_HTTP_SIGNATURE_ERROR_MALFORMED,
                      _("Signature member is not a byte sequence"), member->key);
      return NULL;
    }

  item = g_ptr_array_index (member->items, 0);
  if (item->value.type != CW_STRUCTURED_FIELD_TYPE_BYTES || item->params->len > 0)
    {
      signature_fail (error, CW_HTTP_SIGNATURE_ERROR_MALFORMED,
                      _("Signature member is not a plain byte sequence"), member->key);
      return NULL;
    }

  return g_bytes_ref (item->value.bytes);
}

static gboolean
signatures_add_member (CwHttpSignatures         *self,
                       CwStructuredFieldMember  *input,
                       GPtrArray                *signature_members,
                       GError                  **error)
{
  g_autoptr(CwHttpSignatureParams) params = NULL;
  g_autoptr(GBytes) bytes = NULL;
  CwStructuredFieldMember *sig_member;

  sig_member = cw_structured_field_dictionary_lookup (signature_members, input->key);

  if (sig_member == NULL)
    return signature_fail (error, CW_HTTP_SIGNATURE_ERROR_MALFORMED,
                           _("Signature-Input label has no Signature"), input->key);

  params = cw_http_signature_params_new_from_member (input, error);
  if (params == NULL)
    return FALSE;
  bytes = signature_from_member (sig_member, error);
  if (bytes == NULL)
    return FALSE;

  return cw_http_signatures_add (self, input->key, params, bytes, error);
}

/* Parses a whole field value as a non-empty dictionary under our caps; the
 * RFC 8941 errors become ours, with their codes and messages kept. */
static GPtrArray *
parse_dictionary (const char  *field,
                  const char  *text,
                  GError     **error)
{
  static const CwStructuredFieldLimits limits = {
    .max_length = CW_HTTP_SIGNATURE_MAX_FIELD_LENGTH,
    .max_members = CW_HTTP_SIGNATURE_MAX_SIGNATURES,
    .max_items = CW_HTTP_SIGNATURE_MAX_COMPONENTS,
    .max_parameters = CW_HTTP_SIGNATURE_MAX_PARAMETERS,
  };
  g_autoptr(GPtrArray) members = NULL;
  g_autoptr(GError) local_error = NULL;

  members = cw_structured_field_parse_dictionary (field, text, &limits, &local_error);
  if (members == NULL)
    {
      CwHttpSignatureError code = CW_HTTP_SIGNATURE_ERROR_MALFORMED;

      if (g_error_matches (local_error, CW_STRUCTURED_FIELD_ERROR,
                           CW_STRUCTURED_FIELD_ERROR_TOO_LARGE))
        code = CW_HTTP_SIGNATURE_ERROR_TOO_LARGE;
      g_set_error_literal (error, CW_HTTP_SIGNATURE_ERROR, code, local_error->message);
      return NULL;
    }

  /* Only a blank value parses to no members, so the offset is its end. */
  if (members->len == 0)
    {
      g_set_error (error, CW_HTTP_SIGNATURE_ERROR, CW_HTTP_SIGNATURE_ERROR_MALFORMED,
                   _("Malformed %s field: no signature in it at offset %u"),
                   field, (guint) strlen (text));
      return NULL;
    }

  return g_steal_pointer (&members);
}

CwHttpSignatures *
cw_http_signatures_parse (const char  *signature_input,
                          const char  *signature,
                          GError     **error)
{
  g_autoptr(CwHttpSignatures) self = NULL;
  g_autoptr(GPtrArray) inputs = NULL;
  g_autoptr(GPtrArray) signatures = NULL;

  g_return_val_if_fail (signature_input != NULL, NULL);
  g_return_val_if_fail (signature != NULL, NULL);

  inputs = parse_dictionary ("Signature-Input", signature_input, error);
  if (inputs == NULL)
    return NULL;
  signatures = parse_dictionary ("Signature", signature, error);
  if (signatures == NULL)
    return NULL;

  /* Same size and every input label found: the label sets are equal. */
  if (inputs->len != signatures->len)
    {
      g_set_error (error, CW_HTTP_SIGNATURE_ERROR, CW_HTTP_SIGNATURE_ERROR_MALFORMED,
                   _("Signature-Input has %u signatures but Signature has %u"),
                   inputs->len, signatures->len);
      return NULL;
    }

  self = cw_http_signatures_new ();
  for (guint i = 0; i < inputs->len; i++)
    if (!signatures_add_member (self, g_ptr_array_index (inputs, i), signatures, error))
      return NULL;

  return g_steal_pointer (&self);
}

guint
cw_http_signatures_get_n_signatures (CwHttpSignatures *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->entries->len;
}

const char *
cw_http_signatures_get_label (CwHttpSignatures *self,
                              guint             index)
{
  Entry *entry;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < self->entries->len, NULL);

  entry = g_ptr_array_index (self->entries, index);
  return entry->label;
}

gboolean
cw_http_signatures_get (CwHttpSignatures       *self,
                        const char             *label,
                        CwHttpSignatureParams **params,
                        GBytes                **signature,
                        GError                **error)
{
  Entry *entry = NULL;

  g_return_val_if_fail (self != NULL, FALSE);

  if (label != NULL)
    entry = signatures_lookup (self, label);
  else if (self->entries->len == 1)
    entry = g_ptr_array_index (self->entries, 0);

  if (entry == NULL)
    return signature_fail (error, CW_HTTP_SIGNATURE_ERROR_NO_SIGNATURE,
                           _("No single signature to check under the label"),
                           label ? label : _("(any)"));

  if (params != NULL)
    *params = cw_http_signature_params_ref (entry->params);
  if (signature != NULL)
    *signature = g_bytes_ref (entry->signature);
  return TRUE;
}

char *
cw_http_signatures_to_signature_input (CwHttpSignatures *self)
{
  GString *out = g_string_new (NULL);

  g_return_val_if_fail (self != NULL, NULL);

  for (guint i = 0; i < self->entries->len; i++)
    {
      Entry *entry = g_ptr_array_index (self->entries, i);

      if (i > 0)
        g_string_append (out, ", ");
      g_string_append_printf (out, "%s=", entry->label);
      cw_http_signature_params_append (entry->params, out);
    }

  return g_string_free (out, FALSE);
}

char *
cw_http_signatures_to_signature (CwHttpSignatures *self)
{
  GString *out = g_string_new (NULL);

  g_return_val_if_fail (self != NULL, NULL);

  for (guint i = 0; i < self->entries->len; i++)
    {
      Entry *entry = g_ptr_array_index (self->entries, i);

      if (i > 0)
        g_string_append (out, ", ");
      g_string_append_printf (out, "%s=", entry->label);
      cw_structured_field_append_bytes (out, entry->signature);
    }

  return g_string_free (out, FALSE);
}


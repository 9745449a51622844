/* cw-http-signature-params.c: the covered components and parameters of one
 * RFC 9421 HTTP message signature, and the node's policy on them.
 *
 * RFC 9421: §2.1 and §2.2 component names, §2.3 signature parameters, §4.1
 * the inner list of a Signature-Input member.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include <sodium.h>

#include "cw-encoding.h"
#include "cw-http-request-private.h"
#include "cw-http-signature-params-private.h"
#include "cw-http-signature.h"

#define MAX_STRING_PARAM_LENGTH 1024
#define NONCE_SIZE 16

/* What the node requires every signature to cover (DESIGN.md). */
static const char * const required_components[] = {
  "@method",
  "@authority",
  "@path",
  "@query",
  NULL,
};

struct _CwHttpSignatureParams {
  grefcount  ref_count;
  GPtrArray *components;  /* char *, in order */
  GPtrArray *params;      /* CwStructuredFieldParameter, in order */
};

CwHttpSignatureParams *
cw_http_signature_params_new (void)
{
  CwHttpSignatureParams *self = g_new0 (CwHttpSignatureParams, 1);

  g_ref_count_init (&self->ref_count);
  self->components = g_ptr_array_new_with_free_func (g_free);
  self->params = cw_structured_field_parameters_new ();
  return self;
}

CwHttpSignatureParams *
cw_http_signature_params_ref (CwHttpSignatureParams *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_ref_count_inc (&self->ref_count);
  return self;
}

void
cw_http_signature_params_unref (CwHttpSignatureParams *self)
{
  g_return_if_fail (self != NULL);

  if (!g_ref_count_dec (&self->ref_count))
    return;

  g_ptr_array_unref (self->components);
  g_ptr_array_unref (self->params);
  g_free (self);
}

static gboolean
params_fail (GError            **error,
             CwHttpSignatureError code,
             const char          *what,
             const char          *name)
{
  g_set_error (error, CW_HTTP_SIGNATURE_ERROR, code, "%s: “%s”", what, name);
  return FALSE;
}

static gboolean
is_valid_field_component (const char *name)
{
  if (name[0] == '\0')
    return FALSE;

  for (const char *p = name; *p != '\0'; p++)
    if (!cw_structured_field_is_tchar (*p) || g_ascii_isupper (*p))
      return FALSE;

  return TRUE;
}

static gboolean
check_component_name (const char  *name,
                      GError     **error)
{
  if (g_str_equal (name, "@signature-params"))
    return params_fail (error, CW_HTTP_SIGNATURE_ERROR_MALFORMED,
                        _("A signature cannot cover its own parameters"), name);
  if (name[0] == '@' && !cw_http_request_is_derived_component (name))
    return params_fail (error, CW_HTTP_SIGNATURE_ERROR_UNSUPPORTED,
                        _("Unsupported derived component"), name);
  if (name[0] != '@' && !is_valid_field_component (name))
    return params_fail (error, CW_HTTP_SIGNATURE_ERROR_MALFORMED,
                        _("Invalid component name (field names must be lower case)"), name);

  return TRUE;
}

gboolean
cw_http_signature_params_add_component (CwHttpSignatureParams  *self,
                                        const char             *name,
                                        GError                **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  if (!check_component_name (name, error))
    return FALSE;
  if (cw_http_signature_params_covers (self, name))
    return params_fail (error, CW_HTTP_SIGNATURE_ERROR_MALFORMED,
                        _("Component covered twice"), name);
  if (self->components->len >= CW_HTTP_SIGNATURE_MAX_COMPONENTS)
    return params_fail (error, CW_HTTP_SIGNATURE_ERROR_TOO_LARGE,
                        _("Too many covered components"), name);

  g_ptr_array_add (self->components, g_strdup (name));
  return TRUE;
}

guint
cw_http_signature_params_get_n_components (CwHttpSignatureParams *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->components->len;
}

const char *
cw_http_signature_params_get_component (CwHttpSignatureParams *self,
                                        guint                  index)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < self->components->len, NULL);

  return g_ptr_array_index (self->components, index);
}

gboolean
cw_http_signature_params_covers (CwHttpSignatureParams *self,
                                 const char            *name)
{
  g_return_val_if_fail (self != NULL, FALSE);

  for (guint i = 0; i < self->components->len; i++)
    if (g_str_equal (g_ptr_array_index (self->components, i), name))
      return TRUE;

  return FALSE;
}

static gboolean
params_set_string (CwHttpSignatureParams  *self,
                   const char             *key,
                   const char             *text,
                   GError                **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (text != NULL, FALSE);

  if (!cw_structured_field_is_string (text) || strlen (text) > MAX_STRING_PARAM_LENGTH)
    return params_fail (error, CW_HTTP_SIGNATURE_ERROR_MALFORMED,
                        _("Parameter values must be short printable ASCII"), key);

  cw_structured_field_parameters_set_string (self->params, key, text);
  return TRUE;
}

static const char *
params_get_string (CwHttpSignatureParams *self,
                   const char            *key)
{
  CwStructuredFieldParameter *param;

  g_return_val_if_fail (self != NULL, NULL);

  param = cw_structured_field_parameters_lookup (self->params, key);
  if (param == NULL || param->value.type != CW_STRUCTURED_FIELD_TYPE_STRING)
    return NULL;

  return param->value.string;
}

static gboolean
params_get_integer (CwHttpSignatureParams *self,
                    const char            *key,
                    gint64                *number)
{
  CwStructuredFieldParameter *param;

  g_return_val_if_fail (self != NULL, FALSE);

  param = cw_structured_field_parameters_lookup (self->params, key);
  if (param == NULL || param->value.type != CW_STRUCTURED_FIELD_TYPE_INTEGER)
    return FALSE;

  if (number != NULL)
    *number = param->value.integer;
  return TRUE;
}

void
cw_http_signature_params_set_created (CwHttpSignatureParams *self,
                                      gint64                 created)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (created >= 0);

  cw_structured_field_parameters_set_integer (self->params, "created", created);
}

void
cw_http_signature_params_set_expires (CwHttpSignatureParams *self,
                                      gint64                 expires)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (expires >= 0);

  cw_structured_field_parameters_set_integer (self->params, "expires", expires);
}

gboolean
cw_http_signature_params_set_nonce (CwHttpSignatureParams  *self,
                                    const char             *nonce,
                                    GError                **error)
{
  return params_set_string (self, "nonce", nonce, error);
}

gboolean
cw_http_signature_params_set_alg (CwHttpSignatureParams  *self,
                                  const char             *alg,
                                  GError                **error)
{
  return params_set_string (self, "alg", alg, error);
}

gboolean
cw_http_signature_params_set_keyid (CwHttpSignatureParams  *self,
                                    const char             *keyid,
                                    GError                **error)
{
  return params_set_string (self, "keyid", keyid, error);
}

gboolean
cw_http_signature_params_set_tag (CwHttpSignatureParams  *self,
                                  const char             *tag,
                                  GError                **error)
{
  return params_set_string (self, "tag", tag, error);
}

gboolean
cw_http_signature_params_get_created (CwHttpSignatureParams *self,
                                      gint64                *created)
{
  return params_get_integer (self, "created", created);
}

gboolean
cw_http_signature_params_get_expires (CwHttpSignatureParams *self,
                                      gint64                *expires)
{
  return params_get_integer (self, "expires", expires);
}

const char *
cw_http_signature_params_get_nonce (CwHttpSignatureParams *self)
{
  return params_get_string (self, "nonce");
}

const char *
cw_http_signature_params_get_alg (CwHttpSignatureParams *self)
{
  return params_get_string (self, "alg");
}

const char *
cw_http_signature_params_get_keyid (CwHttpSignatureParams *self)
{
  return params_get_string (self, "keyid");
}

const char *
cw_http_signature_params_get_tag (CwHttpSignatureParams *self)
{
  return params_get_string (self, "tag");
}

CwHttpSignatureParams *
cw_http_signature_params_new_for_node (gint64       created,
                                       const char  *keyid,
                                       GError     **error)
{
  g_autoptr(CwHttpSignatureParams) self = cw_http_signature_params_new ();
  guint8 nonce[NONCE_SIZE];
  g_autofree char *nonce_text = NULL;

  g_return_val_if_fail (created >= 0, NULL);

  for (guint i = 0; required_components[i] != NULL; i++)
    g_ptr_array_add (self->components, g_strdup (required_components[i]));

  randombytes_buf (nonce, sizeof nonce);
  nonce_text = cw_base64url_encode (nonce, sizeof nonce);

  cw_http_signature_params_set_created (self, created);
  if (!cw_http_signature_params_set_nonce (self, nonce_text, error) ||
      !cw_http_signature_params_set_alg (self, CW_HTTP_SIGNATURE_ALG_ED25519, error) ||
      !cw_http_signature_params_set_keyid (self, keyid, error))
    return NULL;

  return g_steal_pointer (&self);
}

void
cw_http_signature_params_append (CwHttpSignatureParams *self,
                                 GString               *out)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (out != NULL);

  g_string_append_c (out, '(');
  for (guint i = 0; i < self->components->len; i++)
    {
      if (i > 0)
        g_string_append_c (out, ' ');
      cw_structured_field_append_string (out, g_ptr_array_index (self->components, i));
    }
  g_string_append_c (out, ')');
  cw_structured_field_append_parameters (out, self->params);
}

char *
cw_http_signature_params_to_string (CwHttpSignatureParams *self)
{
  GString *out = g_string_new (NULL);

  g_return_val_if_fail (self != NULL, NULL);

  cw_http_signature_params_append (self, out);
  return g_string_free (out, FALSE);
}

/* The well-known parameters must have the types of RFC 9421 §2.3. */
static gboolean
check_param_type (CwStructuredFieldParameter  *param,
                  GError                     **error)
{
  static const char * const string_params[] = { "nonce", "alg", "keyid", "tag", NULL };
  gboolean is_time = g_str_equal (param->key, "created") || g_str_equal (param->key, "expires");
  CwStructuredFieldType type = param->value.type;

  if (is_time && (type != CW_STRUCTURED_FIELD_TYPE_INTEGER || param->value.integer < 0))
    return params_fail (error, CW_HTTP_SIGNATURE_ERROR_MALFORMED,
                        _("Parameter must be a non-negative integer"), param->key);
  if (g_strv_contains (string_params, param->key) && type != CW_STRUCTURED_FIELD_TYPE_STRING)
    return params_fail (error, CW_HTTP_SIGNATURE_ERROR_MALFORMED,
                        _("Parameter must be a string"), param->key);

  return TRUE;
}

CwHttpSignatureParams *
cw_http_signature_params_new_from_member (CwStructuredFieldMember  *member,
                                          GError                  **error)
{
  g_autoptr(CwHttpSignatureParams) self = cw_http_signature_params_new ();

  if (!member->is_inner_list)
    {
      params_fail (error, CW_HTTP_SIGNATURE_ERROR_MALFORMED,
                   _("Signature-Input member is not an inner list"), member->key);
      return NULL;
    }

  for (guint i = 0; i < member->items->len; i++)
    {
      CwStructuredFieldItem *item = g_ptr_array_index (member->items, i);

      if (item->value.type != CW_STRUCTURED_FIELD_TYPE_STRING)
        {
          params_fail (error, CW_HTTP_SIGNATURE_ERROR_MALFORMED,
                       _("Covered components must be strings"), member->key);
          return NULL;
        }
      if (item->params->len > 0)
        {
          params_fail (error, CW_HTTP_SIGNATURE_ERROR_UNSUPPORTED,
                       _("Component parameters are not supported"), item->value.string);
          return NULL;
        }
      if (!cw_http_signature_params_add_component (self, item->value.string, error))
        return NULL;
    }

  for (guint i = 0; i < member->params->len; i++)
    if (!check_param_type (g_ptr_array_index (member->params, i), error))
      return NULL;

  g_ptr_array_extend_and_steal (self->params, g_steal_pointer (&member->params));
  member->params = cw_structured_field_parameters_new ();
  return g_steal_pointer (&self);
}

gboolean
cw_http_signature_params_check_policy (CwHttpSignatureParams  *self,
                                       gint64                  now,
                                       guint                   max_age,
                                       guint                   max_skew,
                                       GError                **error)
{
  gint64 created, expires;
  const char *alg;

  g_return_val_if_fail (self != NULL, FALSE);

  for (guint i = 0; required_components[i] != NULL; i++)
    if (!cw_http_signature_params_covers (self, required_components[i]))
      return params_fail (error, CW_HTTP_SIGNATURE_ERROR_NOT_COVERED,
                          _("The signature does not cover a required component"),
                          required_components[i]);

  if (!cw_http_signature_params_get_created (self, &created))
    return params_fail (error, CW_HTTP_SIGNATURE_ERROR_MISSING_PARAMETER,
                        _("The signature lacks a parameter"), "created");
  if (created > now + (gint64) max_skew)
    return params_fail (error, CW_HTTP_SIGNATURE_ERROR_FUTURE,
                        _("The signature was created in the future; check the clock"), "created");
  if (now - created > (gint64) max_age)
    return params_fail (error, CW_HTTP_SIGNATURE_ERROR_EXPIRED,
                        _("The signature is too old; sign the request again"), "created");
  if (cw_http_signature_params_get_expires (self, &expires) && now > expires)
    return params_fail (error, CW_HTTP_SIGNATURE_ERROR_EXPIRED,
                        _("The signature has expired"), "expires");

  if (cw_http_signature_params_get_nonce (self) == NULL ||
      cw_http_signature_params_get_nonce (self)[0] == '\0')
    return params_fail (error, CW_HTTP_SIGNATURE_ERROR_MISSING_PARAMETER,
                        _("The signature lacks a parameter"), "nonce");
  if (cw_http_signature_params_get_keyid (self) == NULL ||
      cw_http_signature_params_get_keyid (self)[0] == '\0')
    return params_fail (error, CW_HTTP_SIGNATURE_ERROR_MISSING_PARAMETER,
                        _("The signature lacks a parameter"), "keyid");

  alg = cw_http_signature_params_get_alg (self);
  if (alg != NULL && !g_str_equal (alg, CW_HTTP_SIGNATURE_ALG_ED25519))
    return params_fail (error, CW_HTTP_SIGNATURE_ERROR_UNSUPPORTED,
                        _("Unsupported signature algorithm"), alg);

  return TRUE;
}

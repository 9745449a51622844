/* cw-node-profile.c: the wallet's node and log configuration, validated, with
 * its JSON form (used inside backups).
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "cw-key.h"
#include "cw-node-profile.h"

G_DEFINE_QUARK (cw-node-profile-error-quark, cw_node_profile_error)

G_DEFINE_BOXED_TYPE (CwNodeProfile, cw_node_profile, cw_node_profile_copy, cw_node_profile_free)

CwNodeProfile *
cw_node_profile_new (const char          *url,
                    const char          *tls_pin,
                    const char          *log_key,
                    const char * const  *witness_keys,
                    guint                quorum,
                    GError             **error)
{
  g_autoptr(CwNodeProfile) self = NULL;
  g_autoptr(CwVerifierKey) log_verifier = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GError) local_error = NULL;
  guint n_witnesses;

  if (url == NULL || *url == '\0' || !g_utf8_validate (url, -1, NULL))
    {
      g_set_error_literal (error, CW_NODE_PROFILE_ERROR, CW_NODE_PROFILE_ERROR_INVALID,
                           _("The node address is empty. Enter the address your clinic gave you."));
      return NULL;
    }

  if (tls_pin != NULL && (*tls_pin == '\0' || !g_utf8_validate (tls_pin, -1, NULL)))
    {
      g_set_error_literal (error, CW_NODE_PROFILE_ERROR, CW_NODE_PROFILE_ERROR_INVALID,
                           _("The certificate pin of the node is empty or not text. "
                             "Leave it out or enter the pin your clinic gave you."));
      return NULL;
    }

  if (log_key == NULL || (log_verifier = cw_verifier_key_new_from_string (log_key, &local_error)) == NULL)
    {
      g_set_error (error, CW_NODE_PROFILE_ERROR, CW_NODE_PROFILE_ERROR_INVALID,
                   _("The log key of the node is not a valid verifier key (%s). "
                     "Check the key your clinic gave you."),
                   local_error ? local_error->message : _("missing"));
      return NULL;
    }

  n_witnesses = witness_keys ? g_strv_length ((char **) witness_keys) : 0;
  for (guint i = 0; i < n_witnesses; i++)
    {
      g_autoptr(CwVerifierKey) witness = cw_verifier_key_new_from_string (witness_keys[i], &local_error);

      if (witness == NULL)
        {
          g_set_error (error, CW_NODE_PROFILE_ERROR, CW_NODE_PROFILE_ERROR_INVALID,
                       _("Witness key %u is not a valid verifier key (%s). "
                         "Check the keys your clinic gave you."), i + 1, local_error->message);
          return NULL;
        }
      if (!g_hash_table_add (seen, (gpointer) witness_keys[i]))
        {
          g_set_error (error, CW_NODE_PROFILE_ERROR, CW_NODE_PROFILE_ERROR_INVALID,
                       _("Witness key %u is listed twice. Remove the duplicate."), i + 1);
          return NULL;
        }
    }

  if (quorum > n_witnesses)
    {
      g_set_error (error, CW_NODE_PROFILE_ERROR, CW_NODE_PROFILE_ERROR_INVALID,
                   _("The witness quorum (%u) is larger than the number of witness keys (%u). "
                     "Add the missing witness keys or lower the quorum."), quorum, n_witnesses);
      return NULL;
    }

  self = g_new0 (CwNodeProfile, 1);
  self->url = g_strdup (url);
  self->tls_pin = g_strdup (tls_pin);
  self->log_key = g_strdup (log_key);
  self->witness_keys = witness_keys ? g_strdupv ((char **) witness_keys) : g_new0 (char *, 1);
  self->quorum = quorum;

  return g_steal_pointer (&self);
}

CwNodeProfile *
cw_node_profile_copy (const CwNodeProfile *self)
{
  CwNodeProfile *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_new0 (CwNodeProfile, 1);
  copy->url = g_strdup (self->url);
  copy->tls_pin = g_strdup (self->tls_pin);
  copy->log_key = g_strdup (self->log_key);
  copy->witness_keys = g_strdupv (self->witness_keys);
  copy->quorum = self->quorum;

  return copy;
}

void
cw_node_profile_free (CwNodeProfile *self)
{
  if (self == NULL)
    return;

  g_free (self->url);
  g_free (self->tls_pin);
  g_free (self->log_key);
  g_strfreev (self->witness_keys);
  g_free (self);
}

gboolean
cw_node_profile_equal (const CwNodeProfile *a,
                      const CwNodeProfile *b)
{
  g_return_val_if_fail (a != NULL && b != NULL, FALSE);

  return g_strcmp0 (a->url, b->url) == 0 &&
         g_strcmp0 (a->tls_pin, b->tls_pin) == 0 &&
         g_strcmp0 (a->log_key, b->log_key) == 0 &&
         g_strv_equal ((const char * const *) a->witness_keys,
                       (const char * const *) b->witness_keys) &&
         a->quorum == b->quorum;
}

JsonNode *
cw_node_profile_to_json (const CwNodeProfile *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (self != NULL, NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "url");
  json_builder_add_string_value (builder, self->url);
  if (self->tls_pin != NULL)
    {
      json_builder_set_member_name (builder, "tls_pin");
      json_builder_add_string_value (builder, self->tls_pin);
    }
  json_builder_set_member_name (builder, "log_key");
  json_builder_add_string_value (builder, self->log_key);
  json_builder_set_member_name (builder, "witness_keys");
  json_builder_begin_array (builder);
  for (guint i = 0; self->witness_keys[i] != NULL; i++)
    json_builder_add_string_value (builder, self->witness_keys[i]);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "quorum");
  json_builder_add_int_value (builder, self->quorum);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

static const char *
member_string (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

CwNodeProfile *
cw_node_profile_from_json (JsonNode  *node,
                          GError   **error)
{
  g_autoptr(GPtrArray) witnesses = g_ptr_array_new ();
  JsonObject *object;
  JsonNode *member;
  JsonArray *array;
  gint64 quorum;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    goto invalid;
  object = json_node_get_object (node);

  member = json_object_get_member (object, "witness_keys");
  if (member == NULL || !JSON_NODE_HOLDS_ARRAY (member))
    goto invalid;
  array = json_node_get_array (member);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      if (!JSON_NODE_HOLDS_VALUE (element) || json_node_get_value_type (element) != G_TYPE_STRING)
        goto invalid;
      g_ptr_array_add (witnesses, (gpointer) json_node_get_string (element));
    }
  g_ptr_array_add (witnesses, NULL);

  member = json_object_get_member (object, "quorum");
  if (member == NULL || !JSON_NODE_HOLDS_VALUE (member) ||
      json_node_get_value_type (member) != G_TYPE_INT64)
    goto invalid;
  quorum = json_node_get_int (member);
  if (quorum < 0 || quorum > G_MAXUINT)
    goto invalid;

  if (json_object_has_member (object, "tls_pin") && member_string (object, "tls_pin") == NULL)
    goto invalid;

  return cw_node_profile_new (member_string (object, "url"),
                             member_string (object, "tls_pin"),
                             member_string (object, "log_key"),
                             (const char * const *) witnesses->pdata,
                             (guint) quorum, error);

invalid:
  g_set_error_literal (error, CW_NODE_PROFILE_ERROR, CW_NODE_PROFILE_ERROR_INVALID,
                       _("The node configuration is not in the expected form."));
  return NULL;
}

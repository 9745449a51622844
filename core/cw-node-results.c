/* cw-node-results.c: strict parsers for the node's JSON answers
 * (docs/PROTOCOL.md §8); the list pages are parsed in
 * cw-node-results-listing.c. */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "cw-canonical-json.h"
#include "cw-encoding.h"
#include "cw-merkle.h"
#include "cw-node-results.h"

G_DEFINE_QUARK (cw-node-results-error-quark, cw_node_results_error)

static gboolean
malformed (GError     **error,
           const char  *what)
{
  g_set_error (error, CW_NODE_RESULTS_ERROR, CW_NODE_RESULTS_ERROR_MALFORMED,
               _("The node sent an answer that is not valid: %s"), what);
  return FALSE;
}

void
cw_node_receipt_free (CwNodeReceipt *receipt)
{
  if (receipt == NULL)
    return;
  g_free (receipt->id);
  g_free (receipt->proof);
  g_free (receipt->outcome);
  g_free (receipt);
}

void
cw_node_list_item_free (CwNodeListItem *item)
{
  if (item == NULL)
    return;
  g_free (item->id);
  g_free (item->outcome);
  g_free (item->envelope);
  g_free (item->proof);
  g_free (item);
}

void
cw_node_listing_free (CwNodeListing *listing)
{
  if (listing == NULL)
    return;
  g_free (listing->checkpoint);
  g_free (listing->head_id);
  g_clear_pointer (&listing->items, g_ptr_array_unref);
  g_free (listing);
}

void
cw_node_tx_record_free (CwNodeTxRecord *record)
{
  if (record == NULL)
    return;
  g_free (record->id);
  g_free (record->status);
  g_free (record->outcome);
  g_free (record->envelope);
  g_free (record->proof);
  g_free (record);
}

static JsonObject *
parse_object (GBytes  *body,
              GError **error)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) cause = NULL;

  if (body == NULL)
    {
      malformed (error, _("the body is empty"));
      return NULL;
    }

  root = cw_canonical_json_parse_strict (g_bytes_get_data (body, NULL), g_bytes_get_size (body),
                                         &cause);
  if (root == NULL)
    {
      malformed (error, cause->message);
      return NULL;
    }
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      malformed (error, _("the body is not a JSON object"));
      return NULL;
    }

  return json_object_ref (json_node_get_object (root));
}

/* Every member of @object must be named in @allowed. */
static gboolean
only_members (JsonObject         *object,
              const char * const *allowed,
              GError            **error)
{
  g_autoptr(GList) names = json_object_get_members (object);

  for (GList *l = names; l != NULL; l = l->next)
    {
      if (!g_strv_contains (allowed, l->data))
        {
          g_autofree char *what = g_strdup_printf (_("unexpected member “%s”"),
                                                   (const char *) l->data);
          return malformed (error, what);
        }
    }

  return TRUE;
}

static const char *
get_string (JsonObject  *object,
            const char  *name,
            GError     **error)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    {
      g_autofree char *what = g_strdup_printf (_("“%s” is missing or not a string"), name);

      malformed (error, what);
      return NULL;
    }

  return json_node_get_string (node);
}

static gboolean
get_uint (JsonObject  *object,
          const char  *name,
          guint64     *out,
          GError     **error)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_INT64 || json_node_get_int (node) < 0)
    {
      g_autofree char *what = g_strdup_printf (_("“%s” is missing or not a non-negative integer"),
                                               name);

      return malformed (error, what);
    }

  *out = (guint64) json_node_get_int (node);
  return TRUE;
}

/* A base64 transaction ID (32 bytes), duplicated. */
static char *
get_id (JsonObject  *object,
        const char  *name,
        GError     **error)
{
  const char *text = get_string (object, name, error);
  guint8 id[CW_MERKLE_HASH_SIZE];

  if (text == NULL)
    return NULL;
  if (!cw_base64_decode_fixed (text, -1, id, sizeof id, NULL))
    {
      g_autofree char *what = g_strdup_printf (_("“%s” is not a base64 transaction ID"), name);

      malformed (error, what);
      return NULL;
    }

  return g_strdup (text);
}

static char *
get_outcome (JsonObject  *object,
             GError     **error)
{
  const char *outcome = get_string (object, "outcome", error);

  if (outcome == NULL)
    return NULL;
  if (!g_str_equal (outcome, "allowed") && !g_str_equal (outcome, "denied"))
    {
      malformed (error, _("“outcome” is neither “allowed” nor “denied”"));
      return NULL;
    }

  return g_strdup (outcome);
}

static GPtrArray *
proof_from_array (JsonNode  *node,
                  GError   **error)
{
  g_autoptr(GPtrArray) proof = cw_merkle_proof_new ();
  JsonArray *array;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    {
      malformed (error, _("“proof” is missing or not an array"));
      return NULL;
    }

  array = json_node_get_array (node);
  if (json_array_get_length (array) > CW_MERKLE_MAX_PROOF_LENGTH)
    {
      malformed (error, _("the proof is longer than any tree needs"));
      return NULL;
    }

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      guint8 hash[CW_MERKLE_HASH_SIZE];

      if (!JSON_NODE_HOLDS_VALUE (element) || json_node_get_value_type (element) != G_TYPE_STRING ||
          !cw_base64_decode_fixed (json_node_get_string (element), -1, hash, sizeof hash, NULL))
        {
          malformed (error, _("a proof hash is not base64 of 32 bytes"));
          return NULL;
        }
      cw_merkle_proof_add (proof, hash);
    }

  return g_steal_pointer (&proof);
}

CwNodeReceipt *
cw_node_receipt_parse (GBytes  *body,
                       GError **error)
{
  static const char * const members[] = { "id", "index", "proof", "outcome", NULL };
  g_autoptr(JsonObject) object = parse_object (body, error);
  g_autoptr(CwNodeReceipt) receipt = g_new0 (CwNodeReceipt, 1);
  const char *proof;

  if (object == NULL || !only_members (object, members, error))
    return NULL;
  if ((receipt->id = get_id (object, "id", error)) == NULL ||
      !get_uint (object, "index", &receipt->index, error) ||
      (proof = get_string (object, "proof", error)) == NULL)
    return NULL;
  receipt->proof = g_strdup (proof);
  if (json_object_has_member (object, "outcome") &&
      (receipt->outcome = get_outcome (object, error)) == NULL)
    return NULL;

  return g_steal_pointer (&receipt);
}

GPtrArray *
cw_node_proof_parse (GBytes  *body,
                     GError **error)
{
  static const char * const members[] = { "proof", NULL };
  g_autoptr(JsonObject) object = parse_object (body, error);

  if (object == NULL || !only_members (object, members, error))
    return NULL;

  return proof_from_array (json_object_get_member (object, "proof"), error);
}

/* The envelope member, an object, as compact JSON text. */
static char *
get_envelope (JsonObject  *object,
              GError     **error)
{
  JsonNode *node = json_object_get_member (object, "envelope");

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      malformed (error, _("“envelope” is missing or not an object"));
      return NULL;
    }

  return json_to_string (node, FALSE);
}

CwNodeTxRecord *
cw_node_tx_record_parse (GBytes  *body,
                         GError **error)
{
  static const char * const members[] = { "id", "index", "status", "outcome", "envelope", "proof",
                                          NULL };
  g_autoptr(JsonObject) object = parse_object (body, error);
  g_autoptr(CwNodeTxRecord) record = g_new0 (CwNodeTxRecord, 1);
  const char *status, *proof;

  if (object == NULL || !only_members (object, members, error))
    return NULL;
  if ((record->id = get_id (object, "id", error)) == NULL ||
      !get_uint (object, "index", &record->index, error) ||
      (status = get_string (object, "status", error)) == NULL ||
      (record->envelope = get_envelope (object, error)) == NULL ||
      (proof = get_string (object, "proof", error)) == NULL)
    return NULL;
  record->status = g_strdup (status);
  record->proof = g_strdup (proof);
  if (json_object_has_member (object, "outcome") &&
      (record->outcome = get_outcome (object, error)) == NULL)
    return NULL;

  return g_steal_pointer (&record);
}

static CwStoreProvider *
provider_from_object (JsonNode  *node,
                      GError   **error)
{
  static const char * const members[] = { "id", "name", "organization", "kind", "public_key",
                                          "verifier_key", NULL };
  g_autoptr(CwStoreProvider) provider = g_new0 (CwStoreProvider, 1);
  const char *id, *name, *organization, *kind, *public_key;
  guint8 key[32];
  JsonObject *object;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      malformed (error, _("a provider is not an object"));
      return NULL;
    }
  object = json_node_get_object (node);

  if (!only_members (object, members, error) ||
      (id = get_string (object, "id", error)) == NULL ||
      (name = get_string (object, "name", error)) == NULL ||
      (organization = get_string (object, "organization", error)) == NULL ||
      (kind = get_string (object, "kind", error)) == NULL ||
      (public_key = get_string (object, "public_key", error)) == NULL)
    return NULL;
  if (!cw_tx_provider_id_is_valid (id))
    {
      malformed (error, _("a provider ID is not valid"));
      return NULL;
    }
  if (!cw_base64_decode_fixed (public_key, -1, key, sizeof key, NULL))
    {
      malformed (error, _("a provider's public key is not base64 of 32 bytes"));
      return NULL;
    }

  provider->id = g_strdup (id);
  provider->name = g_strdup (name);
  provider->organization = g_strdup (organization);
  provider->kind = g_strdup (kind);
  provider->public_key = g_strdup (public_key);
  provider->updated = g_get_real_time () / G_USEC_PER_SEC;

  return g_steal_pointer (&provider);
}

CwStoreProvider *
cw_node_provider_parse (GBytes  *body,
                        GError **error)
{
  g_autoptr(JsonObject) object = parse_object (body, error);
  g_autoptr(JsonNode) node = NULL;

  if (object == NULL)
    return NULL;
  node = json_node_init_object (json_node_alloc (), object);

  return provider_from_object (node, error);
}

GPtrArray *
cw_node_provider_list_parse (GBytes  *body,
                             GError **error)
{
  static const char * const members[] = { "providers", "truncated", NULL };
  g_autoptr(JsonObject) object = parse_object (body, error);
  g_autoptr(GPtrArray) providers = NULL;
  JsonNode *list;

  if (object == NULL || !only_members (object, members, error))
    return NULL;
  list = json_object_get_member (object, "providers");
  if (list == NULL || !JSON_NODE_HOLDS_ARRAY (list))
    {
      malformed (error, _("“providers” is missing or not an array"));
      return NULL;
    }

  providers = g_ptr_array_new_with_free_func ((GDestroyNotify) cw_store_provider_free);
  for (guint i = 0; i < json_array_get_length (json_node_get_array (list)); i++)
    {
      CwStoreProvider *provider =
        provider_from_object (json_array_get_element (json_node_get_array (list), i), error);

      if (provider == NULL)
        return NULL;
      g_ptr_array_add (providers, provider);
    }

  return g_steal_pointer (&providers);
}

gboolean
cw_node_error_body_parse (GBytes    *body,
                          char     **code,
                          char     **message,
                          gboolean  *has_head,
                          guint64   *head_seq,
                          char     **head_id)
{
  g_autoptr(JsonObject) object = parse_object (body, NULL);
  JsonNode *error_node, *head;
  JsonObject *error_object;
  const char *c, *m;

  *has_head = FALSE;
  if (object == NULL)
    return FALSE;
  error_node = json_object_get_member (object, "error");
  if (error_node == NULL || !JSON_NODE_HOLDS_OBJECT (error_node))
    return FALSE;
  error_object = json_node_get_object (error_node);
  if ((c = get_string (error_object, "code", NULL)) == NULL ||
      (m = get_string (error_object, "message", NULL)) == NULL)
    return FALSE;

  /* PROTOCOL.md puts "head" beside "error"; accept it inside too. */
  head = json_object_get_member (object, "head");
  if (head == NULL)
    head = json_object_get_member (error_object, "head");
  if (head != NULL && JSON_NODE_HOLDS_OBJECT (head) &&
      get_uint (json_node_get_object (head), "seq", head_seq, NULL) &&
      (*head_id = get_id (json_node_get_object (head), "id", NULL)) != NULL)
    *has_head = TRUE;

  *code = g_strdup (c);
  *message = g_utf8_make_valid (m, -1);
  return TRUE;
}

JsonNode *
cw_node_proof_to_json (GPtrArray *proof)
{
  g_autoptr(JsonArray) array = json_array_new ();

  for (guint i = 0; proof != NULL && i < proof->len; i++)
    {
      GBytes *hash = g_ptr_array_index (proof, i);
      g_autofree char *text = cw_base64_encode (g_bytes_get_data (hash, NULL),
                                                g_bytes_get_size (hash));

      json_array_add_string_element (array, text);
    }

  return json_node_init_array (json_node_alloc (), array);
}

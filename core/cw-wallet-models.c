/* cw-wallet-models.c: CwWallet's list models (STYLE.md §8): one store query
 * per list, items built off the main context, then swapped in place into
 * the CwRecordLists on the wallet's context. */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "cw-activity-item.h"
#include "cw-dsse.h"
#include "cw-encoding.h"
#include "cw-grant-item.h"
#include "cw-provider-item.h"
#include "cw-request-item.h"
#include "cw-wallet-private.h"

typedef struct {
  CwWallet *wallet;
  GPtrArray *grants;
  GPtrArray *requests;
  GPtrArray *activity;
  GPtrArray *providers;
} Refresh;

static void
refresh_free (Refresh *refresh)
{
  g_clear_object (&refresh->wallet);
  g_clear_pointer (&refresh->grants, g_ptr_array_unref);
  g_clear_pointer (&refresh->requests, g_ptr_array_unref);
  g_clear_pointer (&refresh->activity, g_ptr_array_unref);
  g_clear_pointer (&refresh->providers, g_ptr_array_unref);
  g_free (refresh);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Refresh, refresh_free)

/* "Summary, Allergies", translated, built once per distinct set. */
static const char *
scopes_text (GHashTable *cache,
             CwScopes    scopes)
{
  g_autoptr(GString) text = NULL;
  char *built;

  built = g_hash_table_lookup (cache, GUINT_TO_POINTER ((guint) scopes));
  if (built != NULL)
    return built;

  text = g_string_new (NULL);
  for (guint bit = 0; bit < 32; bit++)
    {
      CwScopes scope = (CwScopes) (1u << bit);
      const char *name;

      if ((scopes & scope) == 0 || (name = cw_scope_get_display_name (scope)) == NULL)
        continue;
      if (text->len > 0)
        /* Translators: separates data categories in a list */
        g_string_append (text, _(", "));
      g_string_append (text, _(name));
    }
  built = g_string_free (g_steal_pointer (&text), FALSE);
  g_hash_table_insert (cache, GUINT_TO_POINTER ((guint) scopes), built);
  return built;
}

static const char *
access_text (CwAccess access)
{
  if ((access & CW_ACCESS_VIEW) && (access & CW_ACCESS_STORE))
    return "view, store";
  return (access & CW_ACCESS_STORE) ? "store" : "view";
}

static const char * const request_states[] = {
  [CW_STORE_REQUEST_PENDING] = "pending",
  [CW_STORE_REQUEST_APPROVED] = "approved",
  [CW_STORE_REQUEST_DENIED] = "denied",
  [CW_STORE_REQUEST_EXPIRED] = "expired",
};

static int
compare_activity (gconstpointer a,
                  gconstpointer b)
{
  CwActivityItem *x = *(CwActivityItem **) a;
  CwActivityItem *y = *(CwActivityItem **) b;
  gint64 tx = cw_activity_item_get_time (x), ty = cw_activity_item_get_time (y);
  gint64 ix = cw_activity_item_get_log_index (x), iy = cw_activity_item_get_log_index (y);

  /* Newest first; not logged yet (-1) before logged at the same time. */
  if (tx != ty)
    return tx > ty ? -1 : 1;
  if (ix != iy)
    return (ix < 0 ? G_MAXINT64 : ix) > (iy < 0 ? G_MAXINT64 : iy) ? -1 : 1;
  return strcmp (cw_activity_item_get_id (x), cw_activity_item_get_id (y));
}

/* The grant or request a revoke or deny refers to. */
static char *
referenced_id (const char *envelope_json)
{
  g_autoptr(CwDsseEnvelope) envelope = cw_dsse_envelope_parse (envelope_json, strlen (envelope_json), NULL);
  g_autoptr(GBytes) payload = envelope != NULL ? cw_dsse_envelope_get_payload (envelope) : NULL;
  g_autoptr(CwTx) tx = payload != NULL ? cw_tx_parse_payload_bytes (payload, NULL) : NULL;

  if (tx == NULL)
    return NULL;
  if (cw_tx_get_tx_type (tx) == CW_TX_TYPE_REVOKE)
    return cw_base64_encode (cw_tx_get_grant (tx), CW_TX_ID_SIZE);
  if (cw_tx_get_tx_type (tx) == CW_TX_TYPE_DENY)
    return cw_base64_encode (cw_tx_get_request (tx), CW_TX_ID_SIZE);
  return NULL;
}

static Refresh *
load (CwWallet  *self,
      GError   **error)
{
  g_autoptr(Refresh) refresh = g_new0 (Refresh, 1);
  g_autoptr(GPtrArray) grants = NULL;
  g_autoptr(GPtrArray) providers = NULL;
  g_autoptr(GPtrArray) requests = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GPtrArray) txs = NULL;
  g_autoptr(GHashTable) provider_by_id = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) grant_by_id = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) request_by_id = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) scopes_cache = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  if ((providers = cw_wallet_store_list_providers (self->store, error)) == NULL ||
      (grants = cw_wallet_store_list_grants (self->store, error)) == NULL ||
      (requests = cw_wallet_store_list_requests (self->store, error)) == NULL ||
      (events = cw_wallet_store_list_access_events (self->store, FALSE, error)) == NULL ||
      (txs = cw_wallet_store_list_transactions (self->store, TRUE, error)) == NULL)
    return NULL;

  refresh->wallet = g_object_ref (self);
  refresh->providers = g_ptr_array_new_full (providers->len, g_object_unref);
  for (guint i = 0; i < providers->len; i++)
    {
      CwStoreProvider *p = g_ptr_array_index (providers, i);
      CwProviderItemData data = { p->id, p->name, p->organization, p->kind };

      g_hash_table_insert (provider_by_id, p->id, p);
      g_ptr_array_add (refresh->providers, cw_provider_item_new (&data));
    }

  refresh->grants = g_ptr_array_new_full (grants->len, g_object_unref);
  for (guint i = grants->len; i > 0; i--)
    {
      CwStoreGrant *g = g_ptr_array_index (grants, i - 1);
      CwStoreProvider *p = g_hash_table_lookup (provider_by_id, g->provider);
      const char *state = g->revoked_by != NULL ? "revoked" : g->expires <= now ? "expired"
                          : g->log_index < 0 ? "pending" : "active";
      CwGrantItemData data = {
        g->id, g->provider, p != NULL ? p->name : g->provider, p != NULL ? p->organization : NULL,
        scopes_text (scopes_cache, g->scopes), _(cw_purpose_get_display_name (g->purpose)),
        access_text (g->access), g->time, g->expires, state, g->log_index >= 0, g->log_index,
      };

      g_hash_table_insert (grant_by_id, g->id, g);
      g_ptr_array_add (refresh->grants, cw_grant_item_new (&data));
    }

  refresh->requests = g_ptr_array_new_full (requests->len, g_object_unref);
  for (guint i = requests->len; i > 0; i--)
    {
      CwStoreRequest *r = g_ptr_array_index (requests, i - 1);
      CwStoreProvider *p = g_hash_table_lookup (provider_by_id, r->provider);
      CwStoreRequestState state = r->state == CW_STORE_REQUEST_PENDING && r->expires <= now
                                  ? CW_STORE_REQUEST_EXPIRED : r->state;
      CwRequestItemData data = {
        r->id, r->provider, p != NULL ? p->name : r->provider, p != NULL ? p->organization : NULL,
        scopes_text (scopes_cache, r->scopes), _(cw_purpose_get_display_name (r->purpose)),
        r->reason, r->time, r->expires, request_states[state],
      };

      g_hash_table_insert (request_by_id, r->id, r);
      g_ptr_array_add (refresh->requests, cw_request_item_new (&data));
    }

  refresh->activity = g_ptr_array_new_full (events->len + txs->len, g_object_unref);
  for (guint i = 0; i < events->len; i++)
    {
      CwStoreAccessEvent *e = g_ptr_array_index (events, i);
      CwStoreProvider *p = g_hash_table_lookup (provider_by_id, e->provider);
      CwActivityItemData data = {
        e->id, "access", e->provider, p != NULL ? p->name : e->provider,
        p != NULL ? p->organization : NULL, scopes_text (scopes_cache, e->scopes),
        _(cw_purpose_get_display_name (e->purpose)), e->time, e->allowed ? "allowed" : "denied",
        TRUE /* stored only with its verified receipt */, e->log_index,
      };

      g_ptr_array_add (refresh->activity, cw_activity_item_new (&data));
    }
  for (guint i = 0; i < txs->len; i++)
    {
      CwStoreTx *tx = g_ptr_array_index (txs, i);
      g_autofree char *ref = NULL;
      const char *provider_id = NULL;
      CwStoreGrant *g = NULL;
      CwStoreRequest *r = NULL;
      CwStoreProvider *p;

      if (tx->type == CW_TX_TYPE_GRANT)
        g = g_hash_table_lookup (grant_by_id, tx->id);
      else if (tx->type == CW_TX_TYPE_REVOKE && (ref = referenced_id (tx->envelope)) != NULL)
        g = g_hash_table_lookup (grant_by_id, ref);
      else if (tx->type == CW_TX_TYPE_DENY && (ref = referenced_id (tx->envelope)) != NULL)
        r = g_hash_table_lookup (request_by_id, ref);
      provider_id = g != NULL ? g->provider : r != NULL ? r->provider : NULL;
      p = provider_id != NULL ? g_hash_table_lookup (provider_by_id, provider_id) : NULL;

      {
        CwActivityItemData data = {
          tx->id, cw_tx_type_to_string (tx->type), provider_id,
          p != NULL ? p->name : provider_id, p != NULL ? p->organization : NULL,
          g != NULL ? scopes_text (scopes_cache, g->scopes) : r != NULL ? scopes_text (scopes_cache, r->scopes) : NULL,
          g != NULL ? _(cw_purpose_get_display_name (g->purpose)) : NULL,
          tx->created, cw_store_tx_state_to_string (tx->state),
          tx->state == CW_STORE_TX_CONFIRMED, tx->log_index,
        };

        g_ptr_array_add (refresh->activity, cw_activity_item_new (&data));
      }
    }
  g_ptr_array_sort (refresh->activity, compare_activity);

  return g_steal_pointer (&refresh);
}

static gboolean
apply_cb (gpointer user_data)
{
  Refresh *refresh = user_data;
  CwWallet *self = refresh->wallet;

  if (self->grant_model == NULL)
    return G_SOURCE_REMOVE;
  cw_record_list_refresh (self->provider_model, refresh->providers);
  cw_record_list_refresh (self->grant_model, refresh->grants);
  cw_record_list_refresh (self->request_model, refresh->requests);
  cw_record_list_refresh (self->activity_model, refresh->activity);
  return G_SOURCE_REMOVE;
}

void
cw_wallet_models_refresh (CwWallet *self)
{
  g_autoptr(GError) error = NULL;
  Refresh *refresh;

  g_return_if_fail (CW_IS_WALLET (self));

  if (!g_atomic_int_get (&self->models_wanted))
    return;
  refresh = load (self, &error);
  if (refresh == NULL)
    {
      g_warning ("Could not load the wallet's lists: %s", error->message);
      return;
    }
  g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT, apply_cb, refresh,
                              (GDestroyNotify) refresh_free);
}

static void
initial_load_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  cw_wallet_models_refresh (source_object);
  g_task_return_boolean (task, TRUE);
}

static const char *
grant_key (gpointer item)
{
  return cw_grant_item_get_id (item);
}

static const char *
request_key (gpointer item)
{
  return cw_request_item_get_id (item);
}

static const char *
activity_key (gpointer item)
{
  return cw_activity_item_get_id (item);
}

static const char *
provider_key (gpointer item)
{
  return cw_provider_item_get_id (item);
}

static void
ensure_models (CwWallet *self)
{
  g_autoptr(GTask) task = NULL;

  if (self->grant_model != NULL)
    return;

  self->grant_model = cw_record_list_new (CW_TYPE_GRANT_ITEM, grant_key,
                                          (CwRecordUpdateFunc) cw_grant_item_update_from);
  self->request_model = cw_record_list_new (CW_TYPE_REQUEST_ITEM, request_key,
                                            (CwRecordUpdateFunc) cw_request_item_update_from);
  self->activity_model = cw_record_list_new (CW_TYPE_ACTIVITY_ITEM, activity_key,
                                             (CwRecordUpdateFunc) cw_activity_item_update_from);
  self->provider_model = cw_record_list_new (CW_TYPE_PROVIDER_ITEM, provider_key,
                                             (CwRecordUpdateFunc) cw_provider_item_update_from);
  g_atomic_int_set (&self->models_wanted, TRUE);

  task = g_task_new (self, NULL, NULL, NULL);
  g_task_set_source_tag (task, ensure_models);
  g_task_run_in_thread (task, initial_load_thread);
}

void
cw_wallet_models_clear (CwWallet *self)
{
  g_atomic_int_set (&self->models_wanted, FALSE);
  g_clear_object (&self->grant_model);
  g_clear_object (&self->request_model);
  g_clear_object (&self->activity_model);
  g_clear_object (&self->provider_model);
}

GListModel *
cw_wallet_get_grants (CwWallet *self)
{
  g_return_val_if_fail (CW_IS_WALLET (self), NULL);

  ensure_models (self);
  return G_LIST_MODEL (self->grant_model);
}

GListModel *
cw_wallet_get_requests (CwWallet *self)
{
  g_return_val_if_fail (CW_IS_WALLET (self), NULL);

  ensure_models (self);
  return G_LIST_MODEL (self->request_model);
}

GListModel *
cw_wallet_get_activity (CwWallet *self)
{
  g_return_val_if_fail (CW_IS_WALLET (self), NULL);

  ensure_models (self);
  return G_LIST_MODEL (self->activity_model);
}

GListModel *
cw_wallet_get_providers (CwWallet *self)
{
  g_return_val_if_fail (CW_IS_WALLET (self), NULL);

  ensure_models (self);
  return G_LIST_MODEL (self->provider_model);
}

/* cw-node-store.c: the node's storage interface; the vfuncs are documented
 * in cw-node-store.h. */
#include "config.h"

#include "cw-node-store.h"

G_DEFINE_QUARK (cw-node-store-error-quark, cw_node_store_error)

G_DEFINE_INTERFACE (CwNodeStore, cw_node_store, G_TYPE_OBJECT)

static void
cw_node_store_default_init (CwNodeStoreInterface *iface)
{
}

gboolean
cw_node_store_initialize (CwNodeStore   *self,
                          const char    *origin,
                          const guint8   empty_root[CW_NODE_STORE_HASH_SIZE],
                          GError       **error)
{
  g_return_val_if_fail (CW_IS_NODE_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return CW_NODE_STORE_GET_IFACE (self)->initialize (self, origin, empty_root, error);
}

char *
cw_node_store_dup_origin (CwNodeStore  *self,
                          GError      **error)
{
  g_return_val_if_fail (CW_IS_NODE_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return CW_NODE_STORE_GET_IFACE (self)->dup_origin (self, error);
}

gboolean
cw_node_store_add_provider (CwNodeStore     *self,
                            CwNodeProvider  *provider,
                            GError         **error)
{
  g_return_val_if_fail (CW_IS_NODE_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return CW_NODE_STORE_GET_IFACE (self)->add_provider (self, provider, error);
}

gboolean
cw_node_store_remove_provider (CwNodeStore  *self,
                               const char   *id,
                               gint64        now,
                               GError      **error)
{
  g_return_val_if_fail (CW_IS_NODE_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return CW_NODE_STORE_GET_IFACE (self)->remove_provider (self, id, now, error);
}

CwNodeProvider *
cw_node_store_lookup_provider (CwNodeStore  *self,
                               const char   *id,
                               GError      **error)
{
  g_return_val_if_fail (CW_IS_NODE_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return CW_NODE_STORE_GET_IFACE (self)->lookup_provider (self, id, error);
}

GPtrArray *
cw_node_store_search_providers (CwNodeStore  *self,
                                const char   *folded_query,
                                guint         limit,
                                GError      **error)
{
  g_return_val_if_fail (CW_IS_NODE_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return CW_NODE_STORE_GET_IFACE (self)->search_providers (self, folded_query, limit, error);
}

gboolean
cw_node_store_count_providers (CwNodeStore  *self,
                               guint64      *out_count,
                               GError      **error)
{
  g_return_val_if_fail (CW_IS_NODE_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return CW_NODE_STORE_GET_IFACE (self)->count_providers (self, out_count, error);
}

gboolean
cw_node_store_add_invite (CwNodeStore   *self,
                          const guint8   code_hash[CW_NODE_STORE_HASH_SIZE],
                          const char    *provider_id,
                          gint64         created,
                          gint64         expires,
                          GError       **error)
{
  g_return_val_if_fail (CW_IS_NODE_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return CW_NODE_STORE_GET_IFACE (self)->add_invite (self, code_hash, provider_id, created, expires, error);
}

gboolean
cw_node_store_count_pending_invites (CwNodeStore  *self,
                                     gint64        now,
                                     guint64      *out_count,
                                     GError      **error)
{
  g_return_val_if_fail (CW_IS_NODE_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return CW_NODE_STORE_GET_IFACE (self)->count_pending_invites (self, now, out_count, error);
}

gboolean
cw_node_store_get_tree_head (CwNodeStore  *self,
                             guint64      *out_size,
                             guint8        out_root[CW_NODE_STORE_HASH_SIZE],
                             GError      **error)
{
  g_return_val_if_fail (CW_IS_NODE_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return CW_NODE_STORE_GET_IFACE (self)->get_tree_head (self, out_size, out_root, error);
}

GBytes *
cw_node_store_load_tree_hashes (CwNodeStore  *self,
                                guint64      *out_size,
                                GError      **error)
{
  g_return_val_if_fail (CW_IS_NODE_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return CW_NODE_STORE_GET_IFACE (self)->load_tree_hashes (self, out_size, error);
}

gboolean
cw_node_store_add_checkpoint (CwNodeStore   *self,
                              guint64        size,
                              const guint8   root[CW_NODE_STORE_HASH_SIZE],
                              const char    *signed_note,
                              gint64         created,
                              GError       **error)
{
  g_return_val_if_fail (CW_IS_NODE_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return CW_NODE_STORE_GET_IFACE (self)->add_checkpoint (self, size, root, signed_note, created, error);
}

char *
cw_node_store_dup_latest_checkpoint (CwNodeStore  *self,
                                     guint64      *out_size,
                                     GError      **error)
{
  g_return_val_if_fail (CW_IS_NODE_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return CW_NODE_STORE_GET_IFACE (self)->dup_latest_checkpoint (self, out_size, error);
}

CwNodeStore *
cw_node_store_open_another (CwNodeStore  *self,
                            GError      **error)
{
  g_return_val_if_fail (CW_IS_NODE_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return CW_NODE_STORE_GET_IFACE (self)->open_another (self, error);
}

CwNodePatient *
cw_node_store_lookup_patient (CwNodeStore  *self,
                              const char   *patient_id,
                              GError      **error)
{
  g_return_val_if_fail (CW_IS_NODE_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return CW_NODE_STORE_GET_IFACE (self)->lookup_patient (self, patient_id, error);
}

CwNodeInvite *
cw_node_store_lookup_invite (CwNodeStore   *self,
                             const guint8   code_hash[CW_NODE_STORE_HASH_SIZE],
                             GError       **error)
{
  g_return_val_if_fail (CW_IS_NODE_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return CW_NODE_STORE_GET_IFACE (self)->lookup_invite (self, code_hash, error);
}

CwNodeGrant *
cw_node_store_lookup_grant (CwNodeStore   *self,
                            const guint8   id[CW_NODE_STORE_HASH_SIZE],
                            GError       **error)
{
  g_return_val_if_fail (CW_IS_NODE_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return CW_NODE_STORE_GET_IFACE (self)->lookup_grant (self, id, error);
}

CwNodeRequest *
cw_node_store_lookup_request (CwNodeStore   *self,
                              const guint8   id[CW_NODE_STORE_HASH_SIZE],
                              GError       **error)
{
  g_return_val_if_fail (CW_IS_NODE_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return CW_NODE_STORE_GET_IFACE (self)->lookup_request (self, id, error);
}

CwNodeTxRecord *
cw_node_store_lookup_transaction (CwNodeStore   *self,
                                  const guint8   id[CW_NODE_STORE_HASH_SIZE],
                                  GError       **error)
{
  g_return_val_if_fail (CW_IS_NODE_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return CW_NODE_STORE_GET_IFACE (self)->lookup_transaction (self, id, error);
}

GBytes *
cw_node_store_read_entries (CwNodeStore  *self,
                            guint64       start,
                            guint64       count,
                            GError      **error)
{
  g_return_val_if_fail (CW_IS_NODE_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return CW_NODE_STORE_GET_IFACE (self)->read_entries (self, start, count, error);
}

gboolean
cw_node_store_commit_batch (CwNodeStore  *self,
                            CwNodeBatch  *batch,
                            GError      **error)
{
  g_return_val_if_fail (CW_IS_NODE_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return CW_NODE_STORE_GET_IFACE (self)->commit_batch (self, batch, error);
}

char *
cw_node_store_dup_checkpoint (CwNodeStore  *self,
                              guint64       size,
                              GError      **error)
{
  g_return_val_if_fail (CW_IS_NODE_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return CW_NODE_STORE_GET_IFACE (self)->dup_checkpoint (self, size, error);
}

char *
cw_node_store_dup_checkpoint_covering (CwNodeStore  *self,
                                       guint64       index,
                                       guint64      *out_size,
                                       GError      **error)
{
  g_return_val_if_fail (CW_IS_NODE_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return CW_NODE_STORE_GET_IFACE (self)->dup_checkpoint_covering (self, index, out_size, error);
}

gboolean
cw_node_store_add_cosignature (CwNodeStore  *self,
                               guint64       size,
                               const char   *witness,
                               const char   *line,
                               gint64        time,
                               GError      **error)
{
  g_return_val_if_fail (CW_IS_NODE_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return CW_NODE_STORE_GET_IFACE (self)->add_cosignature (self, size, witness, line, time, error);
}

GPtrArray *
cw_node_store_list_patient_transactions (CwNodeStore     *self,
                                         CwNodeListKind   kind,
                                         const char      *patient_id,
                                         guint64          start,
                                         guint64          max_index,
                                         gint64           now,
                                         guint            limit,
                                         GError         **error)
{
  g_return_val_if_fail (CW_IS_NODE_STORE (self), NULL);
  g_return_val_if_fail (patient_id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return CW_NODE_STORE_GET_IFACE (self)->list_patient_transactions (self, kind, patient_id, start,
                                                                    max_index, now, limit, error);
}

gboolean
cw_node_store_get_chain_head (CwNodeStore  *self,
                              const char   *patient_id,
                              guint64       max_index,
                              guint64      *out_seq,
                              guint8        out_id[CW_NODE_STORE_HASH_SIZE],
                              GError      **error)
{
  g_return_val_if_fail (CW_IS_NODE_STORE (self), FALSE);
  g_return_val_if_fail (patient_id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return CW_NODE_STORE_GET_IFACE (self)->get_chain_head (self, patient_id, max_index,
                                                         out_seq, out_id, error);
}

char *
cw_node_store_lookup_key_owner (CwNodeStore  *self,
                                const char   *key_id,
                                gboolean     *out_is_patient,
                                guint8        out_public_key[CW_NODE_STORE_HASH_SIZE],
                                GError      **error)
{
  g_return_val_if_fail (CW_IS_NODE_STORE (self), NULL);
  g_return_val_if_fail (key_id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return CW_NODE_STORE_GET_IFACE (self)->lookup_key_owner (self, key_id, out_is_patient,
                                                           out_public_key, error);
}

gboolean
cw_node_store_remember_nonce (CwNodeStore  *self,
                              const char   *key_id,
                              const char   *nonce,
                              gint64        expires,
                              gint64        now,
                              gboolean     *out_fresh,
                              GError      **error)
{
  g_return_val_if_fail (CW_IS_NODE_STORE (self), FALSE);
  g_return_val_if_fail (key_id != NULL && nonce != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return CW_NODE_STORE_GET_IFACE (self)->remember_nonce (self, key_id, nonce, expires, now,
                                                         out_fresh, error);
}

char *
cw_node_store_lookup_recovery_patient (CwNodeStore   *self,
                                       const guint8   recovery_key[CW_NODE_STORE_HASH_SIZE],
                                       GError       **error)
{
  g_return_val_if_fail (CW_IS_NODE_STORE (self), NULL);
  g_return_val_if_fail (recovery_key != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return CW_NODE_STORE_GET_IFACE (self)->lookup_recovery_patient (self, recovery_key, error);
}

/* cw-node-log.c: the log's signed checkpoints: signing the committed tree
 * head with the log key and publishing the result through the store. */
#include "config.h"

#include "cw-checkpoint.h"
#include "cw-node-log.h"

gboolean
cw_node_log_sign_checkpoint (CwNodeStore   *store,
                             const char    *origin,
                             CwSigningKey  *log_key,
                             GError       **error)
{
  g_autoptr(CwCheckpoint) checkpoint = NULL;
  g_autofree char *signed_note = NULL;
  guint8 root[CW_NODE_STORE_HASH_SIZE];
  guint64 size;

  g_return_val_if_fail (CW_IS_NODE_STORE (store), FALSE);
  g_return_val_if_fail (origin != NULL, FALSE);
  g_return_val_if_fail (log_key != NULL, FALSE);

  if (!cw_node_store_get_tree_head (store, &size, root, error))
    return FALSE;

  checkpoint = cw_checkpoint_new (origin, size, root, NULL, error);
  if (checkpoint == NULL)
    return FALSE;

  signed_note = cw_checkpoint_sign (checkpoint, log_key, error);
  if (signed_note == NULL)
    return FALSE;

  return cw_node_store_add_checkpoint (store, size, root, signed_note,
                                       g_get_real_time () / G_USEC_PER_SEC, error);
}

gboolean
cw_node_log_ensure_checkpoint (CwNodeStore   *store,
                               const char    *origin,
                               CwSigningKey  *log_key,
                               guint64       *out_size,
                               GError       **error)
{
  g_autofree char *latest = NULL;
  g_autoptr(GError) local_error = NULL;
  guint64 latest_size = 0;
  guint64 head_size;

  g_return_val_if_fail (CW_IS_NODE_STORE (store), FALSE);

  if (!cw_node_store_get_tree_head (store, &head_size, NULL, error))
    return FALSE;

  latest = cw_node_store_dup_latest_checkpoint (store, &latest_size, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  if (latest == NULL || latest_size != head_size)
    {
      if (!cw_node_log_sign_checkpoint (store, origin, log_key, error))
        return FALSE;
    }

  if (out_size != NULL)
    *out_size = head_size;

  return TRUE;
}

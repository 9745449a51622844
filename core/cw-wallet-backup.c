/* cw-wallet-backup.c: identity, node profile and keyring key, sealed into a
 * backup. The store is read in a worker thread, the keyring asked on the
 * main context, the key derivation runs in cw-backup's thread. */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include <sodium.h>

#include "cw-encoding.h"
#include "cw-wallet-backup.h"

typedef struct {
  char            *passphrase;
  CwStoreIdentity *identity;
  CwNodeProfile   *profile;
  CwBackup        *backup;
} BackupData;

static void
backup_data_free (BackupData *data)
{
  if (data->passphrase != NULL)
    {
      sodium_memzero (data->passphrase, strlen (data->passphrase));
      g_free (data->passphrase);
    }
  g_clear_pointer (&data->identity, cw_store_identity_free);
  g_clear_pointer (&data->profile, cw_node_profile_free);
  g_clear_object (&data->backup);
  g_free (data);
}

static void
sealed_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  GBytes *sealed = cw_backup_seal_finish (CW_BACKUP (object), result, &error);

  if (sealed == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, sealed, (GDestroyNotify) g_bytes_unref);
}

static void
key_found_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  BackupData *data = g_task_get_task_data (task);
  GError *error = NULL;
  CwSigningKey *key = cw_keyring_lookup_finish (CW_KEYRING (object), result, &error);

  if (key == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  data->backup = cw_backup_new (key, data->identity->patient_id, data->identity->recovery_key,
                                data->profile);
  cw_signing_key_unref (key);
  cw_backup_seal_async (data->backup, data->passphrase, g_task_get_cancellable (task), sealed_cb,
                        g_object_ref (task));
}

static void
read_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  BackupData *data = task_data;
  CwWalletStore *store = cw_wallet_get_store (source_object);
  GError *error = NULL;

  data->identity = cw_wallet_store_get_identity (store, &error);
  if (data->identity != NULL)
    data->profile = cw_wallet_store_get_node_profile (store, &error);
  if (data->identity == NULL || data->profile == NULL)
    {
      if (error == NULL)
        error = g_error_new_literal (CW_WALLET_ERROR, CW_WALLET_ERROR_NOT_ENROLLED,
                                     _("This wallet has no identity to back up"));
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
read_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  BackupData *data = g_task_get_task_data (task);
  GError *error = NULL;
  guint8 public_key[CW_PUBLIC_KEY_SIZE];

  if (!g_task_propagate_boolean (G_TASK (result), &error) ||
      !cw_base64_decode_fixed (data->identity->public_key, -1, public_key, sizeof public_key,
                               &error))
    {
      g_task_return_error (task, error);
      return;
    }
  cw_keyring_lookup_async (cw_wallet_get_keyring (CW_WALLET (object)), data->identity->patient_id,
                           public_key, "patient", g_task_get_cancellable (task), key_found_cb,
                           g_object_ref (task));
}

void
cw_wallet_backup_async (CwWallet            *self,
                        const char          *passphrase,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) read = NULL;
  BackupData *data;

  g_return_if_fail (CW_IS_WALLET (self));
  g_return_if_fail (passphrase != NULL);

  data = g_new0 (BackupData, 1);
  data->passphrase = g_strdup (passphrase);
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cw_wallet_backup_async);
  g_task_set_task_data (task, data, (GDestroyNotify) backup_data_free);

  /* The read runs as its own task so that its result comes back here, on
   * the caller's context, where the keyring must be asked. */
  read = g_task_new (self, cancellable, read_done_cb, g_object_ref (task));
  g_task_set_source_tag (read, read_thread);
  g_task_set_task_data (read, data, NULL);
  g_task_run_in_thread (read, read_thread);
}

GBytes *
cw_wallet_backup_finish (CwWallet      *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

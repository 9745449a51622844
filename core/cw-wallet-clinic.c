/* cw-wallet-clinic.c: the opened invite's clinic entry for the desktop
 * onboarding (cw-wallet-clinic.h). */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "cw-wallet-clinic.h"
#include "cw-wallet-private.h"

/* The key under which cw-wallet-invite.c keeps the clinic's directory
 * entry on an opened invite; both files must agree. */
#define CLINIC_DATA_KEY "cw-wallet-invite-clinic"

const CwStoreProvider *
cw_wallet_invite_get_clinic_entry (CwInvite *invite)
{
  g_return_val_if_fail (CW_IS_INVITE (invite), NULL);

  return g_object_get_data (G_OBJECT (invite), CLINIC_DATA_KEY);
}

static void
remember_clinic_thread (GTask        *task,
                        gpointer      source_object,
                        gpointer      task_data,
                        GCancellable *cancellable)
{
  CwWallet *self = source_object;
  const CwStoreProvider *clinic = cw_wallet_invite_get_clinic_entry (task_data);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->op_lock);
  GError *error = NULL;

  if (!cw_wallet_store_upsert_provider (self->store, clinic, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  cw_wallet_models_refresh (self);
  g_task_return_boolean (task, TRUE);
}

void
cw_wallet_remember_clinic_async (CwWallet            *self,
                                 CwInvite            *invite,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CW_IS_WALLET (self));
  g_return_if_fail (CW_IS_INVITE (invite));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cw_wallet_remember_clinic_async);
  if (cw_wallet_invite_get_clinic_entry (invite) == NULL)
    {
      g_task_return_new_error (task, CW_WALLET_ERROR, CW_WALLET_ERROR_INVALID_INVITE,
                               _("Open the invite with cw_wallet_open_invite_async() first."));
      return;
    }
  g_task_set_task_data (task, g_object_ref (invite), g_object_unref);
  g_task_run_in_thread (task, remember_clinic_thread);
}

gboolean
cw_wallet_remember_clinic_finish (CwWallet      *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cw_wallet_remember_clinic_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

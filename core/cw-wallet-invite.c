/* cw-wallet-invite.c: CwWallet's clinic onboarding with signed invites
 * (PROTOCOL.md §11): open an invite (form, expiry, the clinic's signature
 * with the key from the node's directory over the invite's pinned TLS, the
 * node's log key), then accept it: enroll a new wallet, or let an enrolled
 * one join the clinic on the same node. */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "cw-encoding.h"
#include "cw-wallet-private.h"

/* Where an opened invite keeps the clinic's directory entry for accept. */
#define CLINIC_DATA_KEY "cw-wallet-invite-clinic"

typedef struct {
  char *text;
  gsize len;
  gboolean enrolled;
} OpenData;

static void
open_data_free (OpenData *data)
{
  g_free (data->text);
  g_free (data);
}

/* The same node means the same address and the same log key; pins and
 * witnesses may change over time and the invite's are the newer. */
static gboolean
same_node (const CwNodeProfile *a,
           const CwNodeProfile *b)
{
  return g_strcmp0 (a->url, b->url) == 0 && g_strcmp0 (a->log_key, b->log_key) == 0;
}

static gboolean
check_invite_with_node (CwWallet        *self,
                        CwWalletWorker  *worker,
                        CwInvite        *invite,
                        GCancellable    *cancellable,
                        GError         **error)
{
  const char *clinic = cw_invite_get_clinic (invite);
  g_autoptr(CwStoreProvider) provider = NULL;
  g_autofree char *note = NULL;
  g_autoptr(CwSignedCheckpoint) opened = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) checkpoint_result = NULL;
  g_autoptr(GError) cause = NULL;
  guint8 public_key[CW_PUBLIC_KEY_SIZE];

  cw_node_client_get_provider_async (worker->client, clinic, cancellable,
                                     cw_wallet_worker_wait_cb, &result);
  provider = cw_node_client_get_provider_finish (worker->client,
                                                 cw_wallet_worker_wait (worker, &result), &cause);
  if (provider == NULL)
    {
      if (g_strcmp0 (cw_node_client_error_get_node_code (cause), "not_found") == 0)
        g_set_error (error, CW_WALLET_ERROR, CW_WALLET_ERROR_INVALID_INVITE,
                     _("The clinic “%s” of this invite is not in the node's directory, so the "
                       "invite cannot be trusted. Ask the clinic for a new one."), clinic);
      else
        g_propagate_error (error, g_steal_pointer (&cause));
      return FALSE;
    }
  if (!cw_base64_decode_fixed (provider->public_key, -1, public_key, sizeof public_key, error) ||
      !cw_invite_verify_signature (invite, public_key, error))
    return FALSE;

  /* The log key in the invite must be the one this node's log is signed
   * with; otherwise every later receipt would fail to verify. */
  cw_node_client_get_checkpoint_async (worker->client, cancellable, cw_wallet_worker_wait_cb,
                                       &checkpoint_result);
  note = cw_node_client_get_checkpoint_finish (worker->client,
                                               cw_wallet_worker_wait (worker, &checkpoint_result),
                                               error);
  if (note == NULL)
    return FALSE;
  opened = cw_verifier_open_checkpoint (worker->verifier, note, NULL, &cause);
  if (opened == NULL)
    {
      g_set_error (error, CW_WALLET_ERROR, CW_WALLET_ERROR_WRONG_NODE,
                   _("The node's log is not signed with the log key (and witnesses) this invite "
                     "names, so this is not the node the invite describes (%s). Do not use this "
                     "invite."), cause->message);
      return FALSE;
    }

  g_object_set_data_full (G_OBJECT (invite), CLINIC_DATA_KEY, g_steal_pointer (&provider),
                          (GDestroyNotify) cw_store_provider_free);
  return TRUE;
}

static void
open_invite_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  CwWallet *self = source_object;
  OpenData *data = task_data;
  g_autoptr(CwInvite) invite = NULL;
  g_autoptr(CwNodeProfile) enrolled_profile = NULL;
  CwWalletWorker worker;
  GError *error = NULL;
  gboolean ok;

  invite = cw_invite_parse (data->text, data->len, &error);
  if (invite == NULL ||
      !cw_invite_check_expiry (invite, g_get_real_time () / G_USEC_PER_SEC, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (data->enrolled)
    {
      /* The store is used by one worker at a time. */
      g_mutex_lock (&self->op_lock);
      enrolled_profile = cw_wallet_store_get_node_profile (self->store, &error);
      g_mutex_unlock (&self->op_lock);
      if (enrolled_profile == NULL)
        {
          if (error == NULL)
            error = g_error_new_literal (CW_WALLET_ERROR, CW_WALLET_ERROR_NOT_ENROLLED,
                                         _("This wallet has no node profile."));
          g_task_return_error (task, error);
          return;
        }
      if (!same_node (enrolled_profile, cw_invite_get_node_profile (invite)))
        {
          g_task_return_new_error (task, CW_WALLET_ERROR, CW_WALLET_ERROR_WRONG_NODE,
                                   _("This invite is for another node (%s) than the one your "
                                     "identity is enrolled with (%s). One wallet holds one "
                                     "identity on one node; use another wallet for that node."),
                                   cw_invite_get_node_profile (invite)->url,
                                   enrolled_profile->url);
          return;
        }
    }

  ok = cw_wallet_worker_begin (self, &worker, cw_invite_get_node_profile (invite), &error) &&
       check_invite_with_node (self, &worker, invite, cancellable, &error);
  cw_wallet_worker_end (&worker);
  if (!ok)
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, g_steal_pointer (&invite), g_object_unref);
}

void
cw_wallet_open_invite_async (CwWallet            *self,
                             const char          *text,
                             gssize               len,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  OpenData *data;

  g_return_if_fail (CW_IS_WALLET (self));
  g_return_if_fail (text != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cw_wallet_open_invite_async);
  data = g_new0 (OpenData, 1);
  data->len = len < 0 ? strlen (text) : (gsize) len;
  data->text = g_strndup (text, MIN (data->len, CW_INVITE_MAX_URI_LENGTH + 1));
  data->len = MIN (data->len, CW_INVITE_MAX_URI_LENGTH + 1);
  data->enrolled = self->identity != NULL;
  g_task_set_task_data (task, data, (GDestroyNotify) open_data_free);
  g_task_run_in_thread (task, open_invite_thread);
}

CwInvite *
cw_wallet_open_invite_finish (CwWallet      *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cw_wallet_open_invite_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Accepting. */

static void
join_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  CwWallet *self = source_object;
  CwInvite *invite = task_data;
  CwStoreProvider *clinic = g_object_get_data (G_OBJECT (invite), CLINIC_DATA_KEY);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->op_lock);
  GError *error = NULL;

  /* No second enrollment: one identity per node. Joining records the
   * clinic in the wallet's directory; its proposed grant is the caller's
   * to offer (cw_wallet_grant_params_from_invite()). */
  if (!cw_wallet_store_upsert_provider (self->store, clinic, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  cw_wallet_models_refresh (self);
  g_task_return_pointer (task, NULL, NULL);
}

static void
wipe_and_free (char *code)
{
  explicit_bzero (code, strlen (code));
  g_free (code);
}

static void
accept_enrolled_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  char *recovery;

  recovery = cw_wallet_enroll_finish (CW_WALLET (source), result, &error);
  if (recovery == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, recovery, (GDestroyNotify) wipe_and_free);
}

void
cw_wallet_accept_invite_async (CwWallet            *self,
                               CwInvite            *invite,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CW_IS_WALLET (self));
  g_return_if_fail (CW_IS_INVITE (invite));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cw_wallet_accept_invite_async);
  if (!cw_invite_is_verified (invite) ||
      g_object_get_data (G_OBJECT (invite), CLINIC_DATA_KEY) == NULL)
    {
      g_task_return_new_error (task, CW_WALLET_ERROR, CW_WALLET_ERROR_INVALID_INVITE,
                               _("Open the invite with cw_wallet_open_invite_async() first."));
      return;
    }

  if (self->identity == NULL)
    {
      cw_wallet_enroll_async (self, cw_invite_get_node_profile (invite),
                              cw_invite_get_clinic (invite), cw_invite_get_code (invite),
                              cancellable, accept_enrolled_cb, g_steal_pointer (&task));
      return;
    }
  g_task_set_task_data (task, g_object_ref (invite), g_object_unref);
  g_task_run_in_thread (task, join_thread);
}

gboolean
cw_wallet_accept_invite_finish (CwWallet      *self,
                                GAsyncResult  *result,
                                char         **recovery_code,
                                GError       **error)
{
  GError *local = NULL;
  char *code;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cw_wallet_accept_invite_async,
                        FALSE);

  code = g_task_propagate_pointer (G_TASK (result), &local);
  if (local != NULL)
    {
      g_propagate_error (error, local);
      return FALSE;
    }
  if (recovery_code != NULL)
    *recovery_code = code;
  else if (code != NULL)
    wipe_and_free (code);
  return TRUE;
}

gboolean
cw_wallet_grant_params_from_invite (CwInvite            *invite,
                                    CwWalletGrantParams *params)
{
  const CwInviteGrant *grant;
  g_autoptr(GDateTime) now = NULL;

  g_return_val_if_fail (CW_IS_INVITE (invite), FALSE);
  g_return_val_if_fail (params != NULL, FALSE);

  memset (params, 0, sizeof *params);
  grant = cw_invite_get_proposed_grant (invite);
  if (grant == NULL)
    return FALSE;
  now = g_date_time_new_now_utc ();
  params->provider = cw_invite_get_clinic (invite);
  params->scopes = grant->scopes;
  params->purpose = grant->purpose;
  params->access = grant->access;
  params->expires = g_date_time_add_days (now, grant->days);
  return TRUE;
}

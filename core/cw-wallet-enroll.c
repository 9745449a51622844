/* cw-wallet-enroll.c: CwWallet's enrollment in two steps. Prepare makes
 * the identity and recovery keys and signs the enroll transaction, in
 * memory only, so that the recovery code can be shown and confirmed
 * first; complete stores the identity seed in the keyring and sends the
 * enroll transaction, all or nothing. */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <sodium.h>
#include <string.h>

#include "cw-dsse.h"
#include "cw-encoding.h"
#include "cw-enrollment-private.h"
#include "cw-recovery-code.h"
#include "cw-wallet-private.h"

/* Preparing. */

static void
prepare_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  CwEnrollment *enrollment = task_data;
  g_autoptr(CwSigningKey) recovery = NULL;
  g_autoptr(CwTx) tx = NULL;
  g_autoptr(GBytes) payload = NULL;
  g_autoptr(CwDsseEnvelope) envelope = NULL;
  GError *error = NULL;
  CwTxCommon common = { 0 };

  enrollment->identity_key = cw_signing_key_generate ("patient", CW_KEY_TYPE_ED25519, &error);
  if (enrollment->identity_key == NULL ||
      (recovery = cw_signing_key_generate ("recovery", CW_KEY_TYPE_ED25519, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  common.patient = cw_signing_key_get_public_key (enrollment->identity_key);
  tx = cw_tx_new_enroll (&common, cw_signing_key_get_public_key (recovery), enrollment->invite,
                         enrollment->clinic, &error);
  if (tx == NULL)
    {
      g_task_return_new_error (task, CW_WALLET_ERROR, CW_WALLET_ERROR_INVALID,
                               _("The clinic ID or invite code is not valid: %s"), error->message);
      g_error_free (error);
      return;
    }

  payload = cw_tx_to_payload (tx);
  envelope = cw_dsse_envelope_sign (payload, enrollment->identity_key, &error);
  if (envelope == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  enrollment->envelope = cw_dsse_envelope_to_json (envelope, NULL);
  /* Only the code keeps the recovery seed; the key itself goes now. */
  enrollment->recovery_code = cw_recovery_code_format (cw_signing_key_peek_seed (recovery));

  enrollment->identity = g_new0 (CwStoreIdentity, 1);
  enrollment->identity->patient_id = cw_base64_encode (common.patient, CW_PUBLIC_KEY_SIZE);
  enrollment->identity->public_key = g_strdup (enrollment->identity->patient_id);
  enrollment->identity->recovery_key =
    cw_base64_encode (cw_signing_key_get_public_key (recovery), CW_PUBLIC_KEY_SIZE);
  enrollment->identity->clinic = g_strdup (enrollment->clinic);
  enrollment->identity->enrolled = g_get_real_time () / G_USEC_PER_SEC;

  g_task_return_pointer (task, g_object_ref (enrollment), g_object_unref);
}

void
cw_wallet_prepare_enroll_async (CwWallet            *self,
                                const CwNodeProfile *profile,
                                const char          *clinic,
                                const char          *invite,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CW_IS_WALLET (self));
  g_return_if_fail (profile != NULL && clinic != NULL && invite != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cw_wallet_prepare_enroll_async);
  if (self->identity != NULL)
    {
      g_task_return_new_error (task, CW_WALLET_ERROR, CW_WALLET_ERROR_ALREADY_ENROLLED,
                               _("This wallet already holds an identity. Use another wallet "
                                 "to enroll again."));
      return;
    }
  g_task_set_task_data (task, cw_enrollment_new (profile, clinic, invite), g_object_unref);
  g_task_run_in_thread (task, prepare_thread);
}

CwEnrollment *
cw_wallet_prepare_enroll_finish (CwWallet      *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        cw_wallet_prepare_enroll_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Completing. */

typedef struct {
  CwEnrollment *enrollment;
  gboolean stored_in_keyring;
  GError *error;          /* the failure being cleaned up after */
} CompleteData;

static void
complete_data_free (CompleteData *data)
{
  data->enrollment->busy = FALSE;
  g_clear_object (&data->enrollment);
  g_clear_error (&data->error);
  g_free (data);
}

static CwStoreIdentity *
identity_copy (const CwStoreIdentity *identity)
{
  CwStoreIdentity *copy = g_new0 (CwStoreIdentity, 1);

  copy->patient_id = g_strdup (identity->patient_id);
  copy->public_key = g_strdup (identity->public_key);
  copy->recovery_key = g_strdup (identity->recovery_key);
  copy->clinic = g_strdup (identity->clinic);
  copy->enrolled = identity->enrolled;
  return copy;
}

static void
submit_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  CwWallet *self = source_object;
  CwEnrollment *enrollment = task_data;
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->op_lock);
  g_autoptr(CwStoreTx) stored = NULL;
  CwWalletWorker worker;
  GError *error = NULL;

  if (!cw_wallet_worker_begin (self, &worker, enrollment->profile, &error) ||
      !cw_wallet_store_set_node_profile (self->store, enrollment->profile, &error) ||
      !cw_wallet_store_set_identity (self->store, enrollment->identity, &error) ||
      (stored = cw_wallet_store_enqueue_transaction (self->store, enrollment->envelope,
                                                     &error)) == NULL ||
      !cw_wallet_submit_one (self, &worker, stored, cancellable, &error))
    {
      cw_wallet_worker_end (&worker);
      /* Enrollment is all or nothing: no half identity stays behind. */
      cw_wallet_reset_store (self);
      g_task_return_error (task, error);
      return;
    }

  cw_wallet_worker_end (&worker);
  g_task_return_boolean (task, TRUE);
}

static void
cleared_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CompleteData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!cw_keyring_clear_finish (CW_KEYRING (source), result, &error))
    g_warning ("Could not remove the new identity key from the keyring: %s", error->message);

  g_task_return_error (task, g_steal_pointer (&data->error));
}

/* Takes @task's reference. */
static void
complete_fail (GTask  *task,
               GError *error)
{
  CwWallet *self = g_task_get_source_object (task);
  CompleteData *data = g_task_get_task_data (task);
  CwEnrollment *enrollment = data->enrollment;

  if (!data->stored_in_keyring)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  data->error = error;
  cw_keyring_clear_async (self->keyring, enrollment->identity->patient_id,
                          cw_signing_key_get_public_key (enrollment->identity_key), NULL,
                          cleared_cb, task);
}

static void
submitted_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GTask *task = user_data;
  CwWallet *self = CW_WALLET (source);
  CompleteData *data = g_task_get_task_data (task);
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_object_notify (G_OBJECT (self), "store");
      complete_fail (task, error);
      return;
    }

  g_clear_pointer (&self->identity, cw_store_identity_free);
  self->identity = identity_copy (data->enrollment->identity);
  data->enrollment->completed = TRUE;
  /* The seed is in the keyring now, and the code was shown. */
  cw_enrollment_wipe (data->enrollment);
  g_object_notify (G_OBJECT (self), "enrolled");
  g_object_notify (G_OBJECT (self), "patient-id");

  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static void
stored_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  GTask *task = user_data;
  CwWallet *self = g_task_get_source_object (task);
  CompleteData *data = g_task_get_task_data (task);
  g_autoptr(GTask) submit = NULL;
  GError *error = NULL;

  if (!cw_keyring_store_finish (CW_KEYRING (source), result, &error))
    {
      complete_fail (task, error);
      return;
    }
  data->stored_in_keyring = TRUE;

  submit = g_task_new (self, g_task_get_cancellable (task), submitted_cb, task);
  g_task_set_source_tag (submit, submit_thread);
  g_task_set_task_data (submit, g_object_ref (data->enrollment), g_object_unref);
  g_task_run_in_thread (submit, submit_thread);
}

void
cw_wallet_complete_enroll_async (CwWallet            *self,
                                 CwEnrollment        *enrollment,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  GTask *task;
  CompleteData *data;

  g_return_if_fail (CW_IS_WALLET (self));
  g_return_if_fail (CW_IS_ENROLLMENT (enrollment));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cw_wallet_complete_enroll_async);

  if (self->identity != NULL)
    {
      g_task_return_new_error (task, CW_WALLET_ERROR, CW_WALLET_ERROR_ALREADY_ENROLLED,
                               _("This wallet already holds an identity. Use another wallet "
                                 "to enroll again."));
      g_object_unref (task);
      return;
    }
  if (enrollment->busy || enrollment->completed || enrollment->identity_key == NULL ||
      enrollment->identity == NULL)
    {
      g_task_return_new_error (task, CW_WALLET_ERROR, CW_WALLET_ERROR_INVALID,
                               _("This enrollment was already used or dropped. Start again "
                                 "from the invite."));
      g_object_unref (task);
      return;
    }

  enrollment->busy = TRUE;
  data = g_new0 (CompleteData, 1);
  data->enrollment = g_object_ref (enrollment);
  g_task_set_task_data (task, data, (GDestroyNotify) complete_data_free);
  cw_keyring_store_async (self->keyring, enrollment->identity->patient_id,
                          enrollment->identity_key, cancellable, stored_cb, task);
}

gboolean
cw_wallet_complete_enroll_finish (CwWallet      *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        cw_wallet_complete_enroll_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Both steps in one, for callers that show the code afterwards. */

static void
wipe_string (char *str)
{
  if (str == NULL)
    return;
  sodium_memzero (str, strlen (str));
  g_free (str);
}

static void
enroll_completed_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!cw_wallet_complete_enroll_finish (CW_WALLET (source), result, &error))
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, g_strdup (g_task_get_task_data (task)), g_free);
}

static void
enroll_prepared_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(CwEnrollment) enrollment = NULL;
  GError *error = NULL;
  char *code;

  enrollment = cw_wallet_prepare_enroll_finish (CW_WALLET (source), result, &error);
  if (enrollment == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  /* Completing wipes the enrollment's copy of the code. */
  code = g_strdup (cw_enrollment_get_recovery_code (enrollment));
  g_task_set_task_data (task, code, (GDestroyNotify) wipe_string);
  cw_wallet_complete_enroll_async (CW_WALLET (source), enrollment, g_task_get_cancellable (task),
                                   enroll_completed_cb, g_object_ref (task));
}

void
cw_wallet_enroll_async (CwWallet            *self,
                        const CwNodeProfile *profile,
                        const char          *clinic,
                        const char          *invite,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (CW_IS_WALLET (self));
  g_return_if_fail (profile != NULL && clinic != NULL && invite != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cw_wallet_enroll_async);
  cw_wallet_prepare_enroll_async (self, profile, clinic, invite, cancellable,
                                  enroll_prepared_cb, task);
}

char *
cw_wallet_enroll_finish (CwWallet      *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cw_wallet_enroll_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

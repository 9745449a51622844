/* cw-grant-receipt.c: one grant's terms and its receipt, re-verified for the
 * grant details view. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "cw-checkpoint.h"
#include "cw-encoding.h"
#include "cw-grant-receipt.h"
#include "cw-key.h"
#include "cw-tx.h"
#include "cw-verifier.h"

void
cw_grant_receipt_free (CwGrantReceipt *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->grant, cw_store_grant_free);
  g_free (self->provider_name);
  g_free (self->organization);
  g_free (self->checkpoint_root);
  g_free (self->origin);
  g_strfreev (self->cosigners);
  g_free (self->problem);
  g_free (self);
}

/* Fills in what the receipt proves; leaves @self->problem set otherwise. */
static void
check_receipt (CwGrantReceipt      *self,
               const CwNodeProfile *profile,
               const CwStoreTx     *tx)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CwVerifier) verifier = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  CwSignedCheckpoint *checkpoint;
  CwCheckpoint *body;
  guint8 tx_id[CW_TX_ID_SIZE];

  if (!cw_base64_decode_fixed (tx->id, -1, tx_id, sizeof tx_id, &error))
    {
      self->problem = g_strdup_printf (_("The grant’s ID is malformed: %s"), error->message);
      return;
    }
  verifier = cw_verifier_new (profile, &error);
  if (verifier == NULL)
    {
      self->problem = g_strdup_printf (_("The node settings are unusable: %s"), error->message);
      return;
    }
  checkpoint = cw_verifier_verify_receipt (verifier, tx->receipt, tx_id, (guint64) tx->log_index,
                                           NULL, NULL, &error);
  if (checkpoint == NULL)
    {
      self->problem = g_strdup (error->message);
      return;
    }

  body = cw_signed_checkpoint_get_checkpoint (checkpoint);
  self->checkpoint_size = cw_checkpoint_get_size (body);
  self->checkpoint_root = cw_base64_encode (cw_checkpoint_get_root_hash (body), 32);
  self->origin = g_strdup (cw_checkpoint_get_origin (body));
  for (guint i = 0; i < cw_signed_checkpoint_get_n_cosigners (checkpoint); i++)
    g_ptr_array_add (names, g_strdup (cw_verifier_key_get_name (
                                        cw_signed_checkpoint_get_cosigner (checkpoint, i))));
  g_ptr_array_add (names, NULL);
  g_strfreev (self->cosigners);
  self->cosigners = (char **) g_ptr_array_steal (names, NULL);
  self->verified = TRUE;
  cw_signed_checkpoint_unref (checkpoint);
}

CwGrantReceipt *
cw_grant_receipt_load (CwWalletStore  *store,
                       const char     *grant_id,
                       GError        **error)
{
  g_autoptr(CwGrantReceipt) self = g_new0 (CwGrantReceipt, 1);
  g_autoptr(CwStoreProvider) provider = NULL;
  g_autoptr(CwStoreTx) tx = NULL;
  g_autoptr(CwNodeProfile) profile = NULL;
  GError *local_error = NULL;

  g_return_val_if_fail (CW_IS_WALLET_STORE (store), NULL);
  g_return_val_if_fail (grant_id != NULL, NULL);

  self->log_index = -1;
  self->cosigners = g_new0 (char *, 1);
  self->grant = cw_wallet_store_get_grant (store, grant_id, &local_error);
  if (self->grant == NULL)
    {
      if (local_error == NULL)
        local_error = g_error_new (CW_WALLET_STORE_ERROR, CW_WALLET_STORE_ERROR_NOT_FOUND,
                                   _("This grant is not in the wallet"));
      g_propagate_error (error, local_error);
      return NULL;
    }

  provider = cw_wallet_store_get_provider (store, self->grant->provider, NULL);
  self->provider_name = g_strdup (provider != NULL && provider->name != NULL
                                  ? provider->name : self->grant->provider);
  self->organization = g_strdup (provider != NULL && provider->organization != NULL
                                 ? provider->organization : "");

  tx = cw_wallet_store_get_transaction (store, grant_id, NULL);
  profile = cw_wallet_store_get_node_profile (store, NULL);
  if (profile != NULL)
    self->quorum = profile->quorum;
  if (tx == NULL || tx->receipt == NULL || tx->log_index < 0)
    {
      return g_steal_pointer (&self);
    }

  self->has_receipt = TRUE;
  self->log_index = tx->log_index;
  if (profile == NULL)
    self->problem = g_strdup (_("The wallet has no node settings to check the receipt with"));
  else
    check_receipt (self, profile, tx);
  return g_steal_pointer (&self);
}

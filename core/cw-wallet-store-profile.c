/* cw-wallet-store-profile.c: the wallet's identity (its public parts; the
 * seed stays in the keyring) and the node profile it trusts, one row each
 * in the wallet database (DESIGN.md "Storage").
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "cw-wallet-store-private.h"

void
cw_store_identity_free (CwStoreIdentity *identity)
{
  if (identity == NULL)
    return;

  g_free (identity->patient_id);
  g_free (identity->public_key);
  g_free (identity->recovery_key);
  g_free (identity->clinic);
  g_free (identity);
}

static gboolean
public_key_is_valid (const char *text)
{
  guint8 key[32];

  return text != NULL && cw_base64_decode_fixed (text, -1, key, sizeof key, NULL);
}

gboolean
cw_wallet_store_set_identity (CwWalletStore          *self,
                              const CwStoreIdentity  *identity,
                              GError                **error)
{
  g_autoptr(GRecMutexLocker) locker = NULL;
  g_autoptr(CwStoreStmt) stmt = NULL;

  g_return_val_if_fail (CW_IS_WALLET_STORE (self), FALSE);
  g_return_val_if_fail (identity != NULL, FALSE);

  if (!public_key_is_valid (identity->patient_id) || !public_key_is_valid (identity->public_key) ||
      !public_key_is_valid (identity->recovery_key) || !cw_tx_provider_id_is_valid (identity->clinic))
    {
      g_set_error_literal (error, CW_WALLET_STORE_ERROR, CW_WALLET_STORE_ERROR_INVALID,
                           _("The identity has a malformed key or clinic ID and was not saved."));
      return FALSE;
    }

  locker = g_rec_mutex_locker_new (&self->mutex);
  stmt = cw_wallet_store_prepare (self,
                                  "INSERT OR REPLACE INTO identity (singleton, patient_id, public_key,"
                                  " recovery_key, clinic, enrolled) VALUES (1, ?, ?, ?, ?, ?)",
                                  error);
  if (stmt == NULL)
    return FALSE;
  cw_store_bind_text (stmt, 1, identity->patient_id);
  cw_store_bind_text (stmt, 2, identity->public_key);
  cw_store_bind_text (stmt, 3, identity->recovery_key);
  cw_store_bind_text (stmt, 4, identity->clinic);
  sqlite3_bind_int64 (stmt, 5, identity->enrolled);

  return cw_wallet_store_step_done (self, stmt, error);
}

CwStoreIdentity *
cw_wallet_store_get_identity (CwWalletStore  *self,
                              GError        **error)
{
  g_autoptr(GRecMutexLocker) locker = NULL;
  g_autoptr(CwStoreStmt) stmt = NULL;
  CwStoreIdentity *identity;
  int rc;

  g_return_val_if_fail (CW_IS_WALLET_STORE (self), NULL);

  locker = g_rec_mutex_locker_new (&self->mutex);
  stmt = cw_wallet_store_prepare (self,
                                  "SELECT patient_id, public_key, recovery_key, clinic, enrolled"
                                  " FROM identity",
                                  error);
  if (stmt == NULL)
    return NULL;

  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      if (rc != SQLITE_DONE)
        cw_wallet_store_set_error (self, rc, error);
      return NULL;
    }

  identity = g_new0 (CwStoreIdentity, 1);
  identity->patient_id = cw_store_column_text (stmt, 0);
  identity->public_key = cw_store_column_text (stmt, 1);
  identity->recovery_key = cw_store_column_text (stmt, 2);
  identity->clinic = cw_store_column_text (stmt, 3);
  identity->enrolled = sqlite3_column_int64 (stmt, 4);

  return identity;
}

gboolean
cw_wallet_store_set_node_profile (CwWalletStore       *self,
                                 const CwNodeProfile  *config,
                                 GError             **error)
{
  g_autoptr(GRecMutexLocker) locker = NULL;
  g_autoptr(CwNodeProfile) checked = NULL;
  g_autoptr(CwStoreStmt) stmt = NULL;

  g_return_val_if_fail (CW_IS_WALLET_STORE (self), FALSE);
  g_return_val_if_fail (config != NULL, FALSE);

  checked = cw_node_profile_new (config->url, config->tls_pin, config->log_key,
                                (const char * const *) config->witness_keys,
                                config->quorum, error);
  if (checked == NULL)
    return FALSE;

  locker = g_rec_mutex_locker_new (&self->mutex);
  if (!cw_wallet_store_begin (self, error))
    return FALSE;

  stmt = cw_wallet_store_prepare (self,
                                  "INSERT OR REPLACE INTO node_config (singleton, url, tls_pin,"
                                  " log_key, quorum) VALUES (1, ?, ?, ?, ?)",
                                  error);
  if (stmt == NULL)
    goto fail;
  cw_store_bind_text (stmt, 1, checked->url);
  cw_store_bind_text (stmt, 2, checked->tls_pin);
  cw_store_bind_text (stmt, 3, checked->log_key);
  sqlite3_bind_int64 (stmt, 4, checked->quorum);
  if (!cw_wallet_store_step_done (self, stmt, error) ||
      !cw_wallet_store_exec (self, "DELETE FROM witness_keys", error))
    goto fail;

  for (guint i = 0; checked->witness_keys[i] != NULL; i++)
    {
      g_autoptr(CwStoreStmt) insert =
        cw_wallet_store_prepare (self,
                                 "INSERT INTO witness_keys (position, verifier_key) VALUES (?, ?)",
                                 error);

      if (insert == NULL)
        goto fail;
      sqlite3_bind_int64 (insert, 1, i);
      cw_store_bind_text (insert, 2, checked->witness_keys[i]);
      if (!cw_wallet_store_step_done (self, insert, error))
        goto fail;
    }

  return cw_wallet_store_commit (self, error);

fail:
  cw_wallet_store_rollback (self);
  return FALSE;
}

CwNodeProfile *
cw_wallet_store_get_node_profile (CwWalletStore  *self,
                                 GError        **error)
{
  g_autoptr(GRecMutexLocker) locker = NULL;
  g_autoptr(CwStoreStmt) stmt = NULL;
  g_autoptr(CwStoreStmt) witnesses = NULL;
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *url = NULL, *pin = NULL, *log_key = NULL;
  gint64 quorum;
  int rc;

  g_return_val_if_fail (CW_IS_WALLET_STORE (self), NULL);

  locker = g_rec_mutex_locker_new (&self->mutex);
  stmt = cw_wallet_store_prepare (self, "SELECT url, tls_pin, log_key, quorum FROM node_config", error);
  if (stmt == NULL)
    return NULL;
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      if (rc != SQLITE_DONE)
        cw_wallet_store_set_error (self, rc, error);
      return NULL;
    }
  url = cw_store_column_text (stmt, 0);
  pin = cw_store_column_text (stmt, 1);
  log_key = cw_store_column_text (stmt, 2);
  quorum = sqlite3_column_int64 (stmt, 3);

  witnesses = cw_wallet_store_prepare (self,
                                       "SELECT verifier_key FROM witness_keys ORDER BY position",
                                       error);
  if (witnesses == NULL)
    return NULL;
  while ((rc = sqlite3_step (witnesses)) == SQLITE_ROW)
    g_ptr_array_add (keys, cw_store_column_text (witnesses, 0));
  if (rc != SQLITE_DONE)
    {
      cw_wallet_store_set_error (self, rc, error);
      return NULL;
    }
  g_ptr_array_add (keys, NULL);

  return cw_node_profile_new (url, pin, log_key, (const char * const *) keys->pdata,
                             (guint) CLAMP (quorum, 0, G_MAXUINT), error);
}

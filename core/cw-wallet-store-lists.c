/* cw-wallet-store-lists.c: the wallet's copies of grants, providers, requests
 * and access events, as the engine verified them (DESIGN.md "Node API" lists
 * and the patient's own grant transactions).
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "cw-merkle.h"
#include "cw-tlog-proof.h"
#include "cw-wallet-store-private.h"

static const char * const request_states[] = {
  [CW_STORE_REQUEST_PENDING] = "pending",
  [CW_STORE_REQUEST_APPROVED] = "approved",
  [CW_STORE_REQUEST_DENIED] = "denied",
  [CW_STORE_REQUEST_EXPIRED] = "expired",
};

static CwPurpose
column_purpose (CwStoreStmt *stmt,
                int          index)
{
  CwPurpose purpose = CW_PURPOSE_TREAT;

  cw_purpose_from_string ((const char *) sqlite3_column_text (stmt, index), &purpose);
  return purpose;
}

static gboolean
check_id (const char  *what,
          const char  *id,
          GError     **error)
{
  if (id != NULL && *id != '\0')
    return TRUE;

  g_set_error (error, CW_WALLET_STORE_ERROR, CW_WALLET_STORE_ERROR_INVALID,
               /* TRANSLATORS: %s is a record or one of its parts: “grant”, “provider's name”,
                * “access event's envelope”… */
               _("The %s has no ID and was not saved."), what);
  return FALSE;
}

/* Runs a SELECT of many rows, turning each into a record with @from_row. */
static GPtrArray *
list_rows (CwWalletStore   *self,
           const char      *sql,
           gpointer       (*from_row) (CwStoreStmt *stmt),
           GDestroyNotify   free_func,
           GError         **error)
{
  g_autoptr(GRecMutexLocker) locker = g_rec_mutex_locker_new (&self->mutex);
  g_autoptr(CwStoreStmt) stmt = cw_wallet_store_prepare (self, sql, error);
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func (free_func);
  int rc;

  if (stmt == NULL)
    return NULL;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (list, from_row (stmt));
  if (rc != SQLITE_DONE)
    {
      cw_wallet_store_set_error (self, rc, error);
      return NULL;
    }

  return g_steal_pointer (&list);
}

/* Runs a SELECT of at most one row by ID; %NULL without error if none. */
static gpointer
get_row (CwWalletStore   *self,
         const char      *sql,
         const char      *id,
         gpointer       (*from_row) (CwStoreStmt *stmt),
         GError         **error)
{
  g_autoptr(GRecMutexLocker) locker = g_rec_mutex_locker_new (&self->mutex);
  g_autoptr(CwStoreStmt) stmt = cw_wallet_store_prepare (self, sql, error);
  int rc;

  if (stmt == NULL)
    return NULL;
  cw_store_bind_text (stmt, 1, id);

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return from_row (stmt);
  if (rc != SQLITE_DONE)
    cw_wallet_store_set_error (self, rc, error);

  return NULL;
}

/* Grants. */

#define GRANT_COLUMNS "id, provider, scopes, purpose, access, data_from, data_to, time," \
                      " expires, request_id, log_index, revoked_by, envelope"

void
cw_store_grant_free (CwStoreGrant *grant)
{
  if (grant == NULL)
    return;

  g_free (grant->id);
  g_free (grant->provider);
  g_free (grant->data_from);
  g_free (grant->data_to);
  g_free (grant->request_id);
  g_free (grant->revoked_by);
  g_free (grant->envelope);
  g_free (grant);
}

static gpointer
grant_from_row (CwStoreStmt *stmt)
{
  CwStoreGrant *grant = g_new0 (CwStoreGrant, 1);

  grant->id = cw_store_column_text (stmt, 0);
  grant->provider = cw_store_column_text (stmt, 1);
  grant->scopes = (CwScopes) sqlite3_column_int64 (stmt, 2);
  grant->purpose = column_purpose (stmt, 3);
  grant->access = (CwAccess) sqlite3_column_int64 (stmt, 4);
  grant->data_from = cw_store_column_text (stmt, 5);
  grant->data_to = cw_store_column_text (stmt, 6);
  grant->time = sqlite3_column_int64 (stmt, 7);
  grant->expires = sqlite3_column_int64 (stmt, 8);
  grant->request_id = cw_store_column_text (stmt, 9);
  grant->log_index = sqlite3_column_type (stmt, 10) == SQLITE_NULL ? -1 : sqlite3_column_int64 (stmt, 10);
  grant->revoked_by = cw_store_column_text (stmt, 11);
  grant->envelope = cw_store_column_text (stmt, 12);

  return grant;
}

gboolean
cw_wallet_store_upsert_grant (CwWalletStore       *self,
                              const CwStoreGrant  *grant,
                              GError             **error)
{
  g_autoptr(GRecMutexLocker) locker = NULL;
  g_autoptr(CwStoreStmt) stmt = NULL;

  g_return_val_if_fail (CW_IS_WALLET_STORE (self), FALSE);
  g_return_val_if_fail (grant != NULL, FALSE);

  if (!check_id (_("grant"), grant->id, error) || !check_id (_("grant's provider"), grant->provider, error) ||
      !check_id (_("grant's envelope"), grant->envelope, error))
    return FALSE;

  locker = g_rec_mutex_locker_new (&self->mutex);
  stmt = cw_wallet_store_prepare (self,
                                  "INSERT OR REPLACE INTO grants (" GRANT_COLUMNS ")"
                                  " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                  error);
  if (stmt == NULL)
    return FALSE;
  cw_store_bind_text (stmt, 1, grant->id);
  cw_store_bind_text (stmt, 2, grant->provider);
  sqlite3_bind_int64 (stmt, 3, grant->scopes);
  cw_store_bind_text (stmt, 4, cw_purpose_to_string (grant->purpose));
  sqlite3_bind_int64 (stmt, 5, grant->access);
  cw_store_bind_text (stmt, 6, grant->data_from);
  cw_store_bind_text (stmt, 7, grant->data_to);
  sqlite3_bind_int64 (stmt, 8, grant->time);
  sqlite3_bind_int64 (stmt, 9, grant->expires);
  cw_store_bind_text (stmt, 10, grant->request_id);
  if (grant->log_index >= 0)
    sqlite3_bind_int64 (stmt, 11, grant->log_index);
  cw_store_bind_text (stmt, 12, grant->revoked_by);
  cw_store_bind_text (stmt, 13, grant->envelope);

  return cw_wallet_store_step_done (self, stmt, error);
}

CwStoreGrant *
cw_wallet_store_get_grant (CwWalletStore  *self,
                           const char     *id,
                           GError        **error)
{
  g_return_val_if_fail (CW_IS_WALLET_STORE (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  return get_row (self, "SELECT " GRANT_COLUMNS " FROM grants WHERE id = ?", id,
                  grant_from_row, error);
}

GPtrArray *
cw_wallet_store_list_grants (CwWalletStore  *self,
                             GError        **error)
{
  g_return_val_if_fail (CW_IS_WALLET_STORE (self), NULL);

  return list_rows (self, "SELECT " GRANT_COLUMNS " FROM grants ORDER BY time, id",
                    grant_from_row, (GDestroyNotify) cw_store_grant_free, error);
}

/* Providers. */

#define PROVIDER_COLUMNS "id, name, organization, kind, public_key, updated"

void
cw_store_provider_free (CwStoreProvider *provider)
{
  if (provider == NULL)
    return;

  g_free (provider->id);
  g_free (provider->name);
  g_free (provider->organization);
  g_free (provider->kind);
  g_free (provider->public_key);
  g_free (provider);
}

static gpointer
provider_from_row (CwStoreStmt *stmt)
{
  CwStoreProvider *provider = g_new0 (CwStoreProvider, 1);

  provider->id = cw_store_column_text (stmt, 0);
  provider->name = cw_store_column_text (stmt, 1);
  provider->organization = cw_store_column_text (stmt, 2);
  provider->kind = cw_store_column_text (stmt, 3);
  provider->public_key = cw_store_column_text (stmt, 4);
  provider->updated = sqlite3_column_int64 (stmt, 5);

  return provider;
}

gboolean
cw_wallet_store_upsert_provider (CwWalletStore          *self,
                                 const CwStoreProvider  *provider,
                                 GError                **error)
{
  g_autoptr(GRecMutexLocker) locker = NULL;
  g_autoptr(CwStoreStmt) stmt = NULL;

  g_return_val_if_fail (CW_IS_WALLET_STORE (self), FALSE);
  g_return_val_if_fail (provider != NULL, FALSE);

  if (!check_id (_("provider"), provider->id, error) || !check_id (_("provider's name"), provider->name, error) ||
      !check_id (_("provider's kind"), provider->kind, error) ||
      !check_id (_("provider's key"), provider->public_key, error))
    return FALSE;

  locker = g_rec_mutex_locker_new (&self->mutex);
  stmt = cw_wallet_store_prepare (self,
                                  "INSERT OR REPLACE INTO providers (" PROVIDER_COLUMNS ")"
                                  " VALUES (?, ?, ?, ?, ?, ?)",
                                  error);
  if (stmt == NULL)
    return FALSE;
  cw_store_bind_text (stmt, 1, provider->id);
  cw_store_bind_text (stmt, 2, provider->name);
  cw_store_bind_text (stmt, 3, provider->organization);
  cw_store_bind_text (stmt, 4, provider->kind);
  cw_store_bind_text (stmt, 5, provider->public_key);
  sqlite3_bind_int64 (stmt, 6, provider->updated ? provider->updated : cw_store_now ());

  return cw_wallet_store_step_done (self, stmt, error);
}

CwStoreProvider *
cw_wallet_store_get_provider (CwWalletStore  *self,
                              const char     *id,
                              GError        **error)
{
  g_return_val_if_fail (CW_IS_WALLET_STORE (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  return get_row (self, "SELECT " PROVIDER_COLUMNS " FROM providers WHERE id = ?", id,
                  provider_from_row, error);
}

GPtrArray *
cw_wallet_store_list_providers (CwWalletStore  *self,
                                GError        **error)
{
  g_return_val_if_fail (CW_IS_WALLET_STORE (self), NULL);

  return list_rows (self, "SELECT " PROVIDER_COLUMNS " FROM providers ORDER BY name, id",
                    provider_from_row, (GDestroyNotify) cw_store_provider_free, error);
}

/* Requests. */

#define REQUEST_COLUMNS "id, provider, scopes, purpose, access, time, expires, reason, state," \
                        " answer_id, envelope"

void
cw_store_request_free (CwStoreRequest *request)
{
  if (request == NULL)
    return;

  g_free (request->id);
  g_free (request->provider);
  g_free (request->reason);
  g_free (request->answer_id);
  g_free (request->envelope);
  g_free (request);
}

static gpointer
request_from_row (CwStoreStmt *stmt)
{
  CwStoreRequest *request = g_new0 (CwStoreRequest, 1);
  const char *state = (const char *) sqlite3_column_text (stmt, 8);

  request->id = cw_store_column_text (stmt, 0);
  request->provider = cw_store_column_text (stmt, 1);
  request->scopes = (CwScopes) sqlite3_column_int64 (stmt, 2);
  request->purpose = column_purpose (stmt, 3);
  request->access = (CwAccess) sqlite3_column_int64 (stmt, 4);
  request->time = sqlite3_column_int64 (stmt, 5);
  request->expires = sqlite3_column_int64 (stmt, 6);
  request->reason = cw_store_column_text (stmt, 7);
  for (guint i = 0; i < G_N_ELEMENTS (request_states); i++)
    if (g_strcmp0 (state, request_states[i]) == 0)
      request->state = i;
  request->answer_id = cw_store_column_text (stmt, 9);
  request->envelope = cw_store_column_text (stmt, 10);

  return request;
}

gboolean
cw_wallet_store_upsert_request (CwWalletStore         *self,
                                const CwStoreRequest  *request,
                                GError               **error)
{
  g_autoptr(GRecMutexLocker) locker = NULL;
  g_autoptr(CwStoreStmt) stmt = NULL;

  g_return_val_if_fail (CW_IS_WALLET_STORE (self), FALSE);
  g_return_val_if_fail (request != NULL, FALSE);
  g_return_val_if_fail (request->state <= CW_STORE_REQUEST_EXPIRED, FALSE);

  if (!check_id (_("request"), request->id, error) || !check_id (_("request's provider"), request->provider, error) ||
      !check_id (_("request's reason"), request->reason, error) ||
      !check_id (_("request's envelope"), request->envelope, error))
    return FALSE;

  locker = g_rec_mutex_locker_new (&self->mutex);
  stmt = cw_wallet_store_prepare (self,
                                  "INSERT OR REPLACE INTO requests (" REQUEST_COLUMNS ")"
                                  " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                  error);
  if (stmt == NULL)
    return FALSE;
  cw_store_bind_text (stmt, 1, request->id);
  cw_store_bind_text (stmt, 2, request->provider);
  sqlite3_bind_int64 (stmt, 3, request->scopes);
  cw_store_bind_text (stmt, 4, cw_purpose_to_string (request->purpose));
  sqlite3_bind_int64 (stmt, 5, request->access);
  sqlite3_bind_int64 (stmt, 6, request->time);
  sqlite3_bind_int64 (stmt, 7, request->expires);
  cw_store_bind_text (stmt, 8, request->reason);
  cw_store_bind_text (stmt, 9, request_states[request->state]);
  cw_store_bind_text (stmt, 10, request->answer_id);
  cw_store_bind_text (stmt, 11, request->envelope);

  return cw_wallet_store_step_done (self, stmt, error);
}

CwStoreRequest *
cw_wallet_store_get_request (CwWalletStore  *self,
                             const char     *id,
                             GError        **error)
{
  g_return_val_if_fail (CW_IS_WALLET_STORE (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  return get_row (self, "SELECT " REQUEST_COLUMNS " FROM requests WHERE id = ?", id,
                  request_from_row, error);
}

GPtrArray *
cw_wallet_store_list_requests (CwWalletStore  *self,
                               GError        **error)
{
  g_return_val_if_fail (CW_IS_WALLET_STORE (self), NULL);

  return list_rows (self, "SELECT " REQUEST_COLUMNS " FROM requests ORDER BY time, id",
                    request_from_row, (GDestroyNotify) cw_store_request_free, error);
}

/* Access events. */

#define ACCESS_COLUMNS "id, provider, grant_id, scopes, purpose, time, allowed, log_index," \
                       " envelope, receipt, proof, note"

void
cw_store_access_event_free (CwStoreAccessEvent *event)
{
  if (event == NULL)
    return;

  g_free (event->id);
  g_free (event->provider);
  g_free (event->grant_id);
  g_free (event->envelope);
  g_free (event->receipt);
  g_free (event->proof);
  g_free (event);
}

/* The receipt of a row kept as parts, from its proof (column 10) and the
 * note's text (column 12); %NULL if the parts do not make one. */
static char *
format_receipt (CwStoreStmt *stmt,
                guint64      index)
{
  const guint8 *hashes = sqlite3_column_blob (stmt, 10);
  gsize size = (gsize) sqlite3_column_bytes (stmt, 10);
  const char *note = (const char *) sqlite3_column_text (stmt, 12);

  if (note == NULL || size % CW_MERKLE_HASH_SIZE != 0)
    return NULL;
  return cw_tlog_proof_format_flat (index, hashes, (guint) (size / CW_MERKLE_HASH_SIZE), note);
}

static CwStoreAccessEvent *
access_event_from_row (CwStoreStmt *stmt,
                       gboolean     with_receipt)
{
  CwStoreAccessEvent *event = g_new0 (CwStoreAccessEvent, 1);

  event->id = cw_store_column_text (stmt, 0);
  event->provider = cw_store_column_text (stmt, 1);
  event->grant_id = cw_store_column_text (stmt, 2);
  event->scopes = (CwScopes) sqlite3_column_int64 (stmt, 3);
  event->purpose = column_purpose (stmt, 4);
  event->time = sqlite3_column_int64 (stmt, 5);
  event->allowed = sqlite3_column_int (stmt, 6) != 0;
  event->log_index = sqlite3_column_int64 (stmt, 7);
  event->envelope = cw_store_column_text (stmt, 8);
  if (with_receipt)
    {
      event->receipt = cw_store_column_text (stmt, 9);
      if (event->receipt == NULL)
        event->receipt = format_receipt (stmt, (guint64) event->log_index);
    }

  return event;
}

static gpointer
access_event_with_receipt_from_row (CwStoreStmt *stmt)
{
  return access_event_from_row (stmt, TRUE);
}

static gpointer
access_event_without_receipt_from_row (CwStoreStmt *stmt)
{
  return access_event_from_row (stmt, FALSE);
}

gint64
cw_wallet_store_add_receipt_note (CwWalletStore  *self,
                                  const char     *note,
                                  GError        **error)
{
  g_autoptr(GRecMutexLocker) locker = NULL;
  g_autoptr(CwStoreStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (CW_IS_WALLET_STORE (self), -1);

  if (!check_id (_("receipt's checkpoint note"), note, error))
    return -1;

  locker = g_rec_mutex_locker_new (&self->mutex);
  /* The no-op update makes RETURNING give the ID of a note already there. */
  stmt = cw_wallet_store_prepare (self,
                                  "INSERT INTO receipt_notes (note) VALUES (?)"
                                  " ON CONFLICT (note) DO UPDATE SET note = excluded.note"
                                  " RETURNING id",
                                  error);
  if (stmt == NULL)
    return -1;
  cw_store_bind_text (stmt, 1, note);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      cw_wallet_store_set_error (self, rc, error);
      return -1;
    }

  return sqlite3_column_int64 (stmt, 0);
}

gboolean
cw_wallet_store_upsert_access_event (CwWalletStore             *self,
                                     const CwStoreAccessEvent  *event,
                                     GError                   **error)
{
  g_autoptr(GRecMutexLocker) locker = NULL;
  g_autoptr(CwStoreStmt) stmt = NULL;

  g_return_val_if_fail (CW_IS_WALLET_STORE (self), FALSE);
  g_return_val_if_fail (event != NULL, FALSE);

  if (!check_id (_("access event"), event->id, error) ||
      !check_id (_("access event's provider"), event->provider, error) ||
      !check_id (_("access event's grant"), event->grant_id, error) ||
      !check_id (_("access event's envelope"), event->envelope, error))
    return FALSE;
  if (event->receipt != NULL ? *event->receipt == '\0' : event->note_id <= 0)
    {
      g_set_error_literal (error, CW_WALLET_STORE_ERROR, CW_WALLET_STORE_ERROR_INVALID,
                           _("The access event has no receipt and was not saved."));
      return FALSE;
    }
  if (event->log_index < 0)
    {
      g_set_error_literal (error, CW_WALLET_STORE_ERROR, CW_WALLET_STORE_ERROR_INVALID,
                           _("The access event has no log index and was not saved."));
      return FALSE;
    }

  locker = g_rec_mutex_locker_new (&self->mutex);
  stmt = cw_wallet_store_prepare (self,
                                  "INSERT OR REPLACE INTO access_events (" ACCESS_COLUMNS ")"
                                  " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                  error);
  if (stmt == NULL)
    return FALSE;
  cw_store_bind_text (stmt, 1, event->id);
  cw_store_bind_text (stmt, 2, event->provider);
  cw_store_bind_text (stmt, 3, event->grant_id);
  sqlite3_bind_int64 (stmt, 4, event->scopes);
  cw_store_bind_text (stmt, 5, cw_purpose_to_string (event->purpose));
  sqlite3_bind_int64 (stmt, 6, event->time);
  sqlite3_bind_int (stmt, 7, event->allowed ? 1 : 0);
  sqlite3_bind_int64 (stmt, 8, event->log_index);
  cw_store_bind_text (stmt, 9, event->envelope);
  if (event->receipt != NULL)
    {
      cw_store_bind_text (stmt, 10, event->receipt);
    }
  else
    {
      /* An empty proof (a tree of one) is an empty BLOB, not NULL. */
      sqlite3_bind_blob (stmt, 11, event->proof != NULL ? (const void *) event->proof : "",
                         (int) (event->n_proof * CW_MERKLE_HASH_SIZE), SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 12, event->note_id);
    }

  return cw_wallet_store_step_done (self, stmt, error);
}

GPtrArray *
cw_wallet_store_list_access_events (CwWalletStore  *self,
                                    gboolean        with_receipts,
                                    GError        **error)
{
  g_return_val_if_fail (CW_IS_WALLET_STORE (self), NULL);

  if (!with_receipts)
    return list_rows (self, "SELECT " ACCESS_COLUMNS " FROM access_events"
                      " ORDER BY log_index, id",
                      access_event_without_receipt_from_row,
                      (GDestroyNotify) cw_store_access_event_free, error);
  return list_rows (self, "SELECT a.id, a.provider, a.grant_id, a.scopes, a.purpose, a.time,"
                    " a.allowed, a.log_index, a.envelope, a.receipt, a.proof, a.note, n.note"
                    " FROM access_events AS a LEFT JOIN receipt_notes AS n ON n.id = a.note"
                    " ORDER BY a.log_index, a.id",
                    access_event_with_receipt_from_row,
                    (GDestroyNotify) cw_store_access_event_free, error);
}

gint64
cw_wallet_store_get_last_access_index (CwWalletStore  *self,
                                       GError        **error)
{
  g_autoptr(GRecMutexLocker) locker = NULL;
  g_autoptr(CwStoreStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (CW_IS_WALLET_STORE (self), -1);

  locker = g_rec_mutex_locker_new (&self->mutex);
  stmt = cw_wallet_store_prepare (self, "SELECT coalesce (max (log_index), -1) FROM access_events",
                                  error);
  if (stmt == NULL)
    return -1;
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      cw_wallet_store_set_error (self, rc, error);
      return -1;
    }

  return sqlite3_column_int64 (stmt, 0);
}

/* cw-node-store-sqlite-directory.c: the SQLite store's provider directory
 * (add, soft-remove, look up, search, count) and the enrollment invites
 * registered for its providers. */
#include "config.h"

#include "cw-node-store-sqlite-private.h"

static gboolean
cw_node_store_sqlite_add_provider (CwNodeStore     *store,
                                   CwNodeProvider  *provider,
                                   GError         **error)
{
  CwNodeStoreSqlite *self = CW_NODE_STORE_SQLITE (store);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *search_text = cw_node_provider_dup_search_text (provider);
  GBytes *public_key = cw_node_provider_get_public_key (provider);
  int rc;

  stmt = cw_node_store_sqlite_prepare (self,
                                       "INSERT INTO providers (id, name, organization, kind,"
                                       "                       public_key, search_text, created)"
                                       " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                                       error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, cw_node_provider_get_id (provider), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, cw_node_provider_get_name (provider), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, cw_node_provider_get_organization (provider), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, cw_node_provider_kind_to_string (cw_node_provider_get_kind (provider)),
                     -1, SQLITE_STATIC);
  sqlite3_bind_blob (stmt, 5, g_bytes_get_data (public_key, NULL),
                     g_bytes_get_size (public_key), SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 6, search_text, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 7, cw_node_provider_get_created (provider));

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    return TRUE;

  switch (sqlite3_extended_errcode (cw_node_store_sqlite_get_db (self)))
    {
    case SQLITE_CONSTRAINT_PRIMARYKEY:
      g_set_error (error, CW_NODE_STORE_ERROR, CW_NODE_STORE_ERROR_EXISTS,
                   "The provider ID “%s” is taken (IDs of removed providers are not reused)",
                   cw_node_provider_get_id (provider));
      return FALSE;
    case SQLITE_CONSTRAINT_UNIQUE:
      g_set_error (error, CW_NODE_STORE_ERROR, CW_NODE_STORE_ERROR_EXISTS,
                   "Another provider already has this public key; "
                   "every provider needs a key of its own");
      return FALSE;
    default:
      return cw_node_store_sqlite_set_error (self, error, "adding a provider");
    }
}

static gboolean
cw_node_store_sqlite_remove_provider (CwNodeStore  *store,
                                      const char   *id,
                                      gint64        now,
                                      GError      **error)
{
  CwNodeStoreSqlite *self = CW_NODE_STORE_SQLITE (store);
  g_autoptr(sqlite3_stmt) update = NULL;
  g_autoptr(sqlite3_stmt) invites = NULL;

  if (!cw_node_store_sqlite_exec (self, "BEGIN IMMEDIATE", error))
    return FALSE;

  update = cw_node_store_sqlite_prepare (self,
                                         "UPDATE providers SET removed = ?2"
                                         " WHERE id = ?1 AND removed IS NULL",
                                         error);
  /* Its unused invites die with it. */
  invites = cw_node_store_sqlite_prepare (self,
                                          "DELETE FROM invites WHERE provider_id = ?1 AND used = 0",
                                          error);
  if (update == NULL || invites == NULL)
    goto fail;

  sqlite3_bind_text (update, 1, id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (update, 2, now);
  sqlite3_bind_text (invites, 1, id, -1, SQLITE_TRANSIENT);

  if (!cw_node_store_sqlite_step_done (self, update, "removing a provider", error))
    goto fail;

  if (sqlite3_changes (cw_node_store_sqlite_get_db (self)) == 0)
    {
      g_set_error (error, CW_NODE_STORE_ERROR, CW_NODE_STORE_ERROR_NOT_FOUND,
                   "No provider with ID “%s”", id);
      goto fail;
    }

  if (!cw_node_store_sqlite_step_done (self, invites, "removing a provider's invites", error) ||
      !cw_node_store_sqlite_exec (self, "COMMIT", error))
    goto fail;

  return TRUE;

fail:
  cw_node_store_sqlite_rollback (self);
  return FALSE;
}

#define PROVIDER_COLUMNS "id, name, organization, kind, public_key, created"

static CwNodeProvider *
provider_from_row (CwNodeStoreSqlite  *self,
                   sqlite3_stmt       *stmt,
                   GError            **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GBytes) public_key = NULL;
  CwNodeProviderKind kind;
  CwNodeProvider *provider;

  if (!cw_node_provider_kind_from_string ((const char *) sqlite3_column_text (stmt, 3), &kind))
    {
      g_set_error (error, CW_NODE_STORE_ERROR, CW_NODE_STORE_ERROR_CORRUPT,
                   "A stored provider has an unknown kind");
      return NULL;
    }

  public_key = g_bytes_new (sqlite3_column_blob (stmt, 4), sqlite3_column_bytes (stmt, 4));
  provider = cw_node_provider_new ((const char *) sqlite3_column_text (stmt, 0),
                                   (const char *) sqlite3_column_text (stmt, 1),
                                   (const char *) sqlite3_column_text (stmt, 2),
                                   kind, public_key,
                                   sqlite3_column_int64 (stmt, 5),
                                   &local_error);
  if (provider == NULL)
    g_set_error (error, CW_NODE_STORE_ERROR, CW_NODE_STORE_ERROR_CORRUPT,
                 "A stored provider is invalid: %s", local_error->message);

  return provider;
}

static CwNodeProvider *
cw_node_store_sqlite_lookup_provider (CwNodeStore  *store,
                                      const char   *id,
                                      GError      **error)
{
  CwNodeStoreSqlite *self = CW_NODE_STORE_SQLITE (store);
  g_autoptr(CwSqliteCachedStmt) stmt = NULL;
  int rc;

  /* Cached: the sequencer and the workers look a provider up per
   * provider-signed submission. */
  stmt = cw_node_store_sqlite_prepare_cached (self,
                                              "SELECT " PROVIDER_COLUMNS " FROM providers"
                                              " WHERE id = ?1 AND removed IS NULL",
                                              error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return provider_from_row (self, stmt, error);

  if (rc == SQLITE_DONE)
    g_set_error (error, CW_NODE_STORE_ERROR, CW_NODE_STORE_ERROR_NOT_FOUND,
                 "No provider with ID “%s”", id);
  else
    cw_node_store_sqlite_set_error (self, error, "looking up a provider");

  return NULL;
}

static GPtrArray *
cw_node_store_sqlite_search_providers (CwNodeStore  *store,
                                       const char   *folded_query,
                                       guint         limit,
                                       GError      **error)
{
  CwNodeStoreSqlite *self = CW_NODE_STORE_SQLITE (store);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) results = g_ptr_array_new_with_free_func (g_object_unref);
  int rc;

  /* instr() rather than LIKE: the query's '%' and '_' stay literal. */
  stmt = cw_node_store_sqlite_prepare (self,
                                       "SELECT " PROVIDER_COLUMNS " FROM providers"
                                       " WHERE removed IS NULL"
                                       " AND (?1 IS NULL OR instr (search_text, ?1) > 0)"
                                       " ORDER BY search_text, id LIMIT ?2",
                                       error);
  if (stmt == NULL)
    return NULL;

  if (folded_query != NULL)
    sqlite3_bind_text (stmt, 1, folded_query, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, limit);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      CwNodeProvider *provider = provider_from_row (self, stmt, error);

      if (provider == NULL)
        return NULL;
      g_ptr_array_add (results, provider);
    }

  if (rc != SQLITE_DONE)
    {
      cw_node_store_sqlite_set_error (self, error, "searching providers");
      return NULL;
    }

  return g_steal_pointer (&results);
}

static gboolean
cw_node_store_sqlite_count_providers (CwNodeStore  *store,
                                      guint64      *out_count,
                                      GError      **error)
{
  CwNodeStoreSqlite *self = CW_NODE_STORE_SQLITE (store);
  gint64 count;

  if (!cw_node_store_sqlite_query_int64 (self,
                                         "SELECT count(*) FROM providers WHERE removed IS NULL",
                                         &count, error))
    return FALSE;

  *out_count = count;

  return TRUE;
}

static gboolean
cw_node_store_sqlite_add_invite (CwNodeStore   *store,
                                 const guint8   code_hash[CW_NODE_STORE_HASH_SIZE],
                                 const char    *provider_id,
                                 gint64         created,
                                 gint64         expires,
                                 GError       **error)
{
  CwNodeStoreSqlite *self = CW_NODE_STORE_SQLITE (store);
  g_autoptr(sqlite3_stmt) stmt = NULL;

  stmt = cw_node_store_sqlite_prepare (self,
                                       "INSERT INTO invites (code_hash, provider_id,"
                                       " created, expires)"
                                       " SELECT ?1, id, ?3, ?4 FROM providers"
                                       " WHERE id = ?2 AND removed IS NULL",
                                       error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_blob (stmt, 1, code_hash, CW_NODE_STORE_HASH_SIZE, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, provider_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, created);
  sqlite3_bind_int64 (stmt, 4, expires);

  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      if (sqlite3_extended_errcode (cw_node_store_sqlite_get_db (self)) ==
          SQLITE_CONSTRAINT_PRIMARYKEY)
        {
          g_set_error (error, CW_NODE_STORE_ERROR, CW_NODE_STORE_ERROR_EXISTS,
                       "This invite code is registered already");
          return FALSE;
        }
      return cw_node_store_sqlite_set_error (self, error, "adding an invite");
    }

  if (sqlite3_changes (cw_node_store_sqlite_get_db (self)) == 0)
    {
      g_set_error (error, CW_NODE_STORE_ERROR, CW_NODE_STORE_ERROR_NOT_FOUND,
                   "No provider with ID “%s”", provider_id);
      return FALSE;
    }

  return TRUE;
}

static gboolean
cw_node_store_sqlite_count_pending_invites (CwNodeStore  *store,
                                            gint64        now,
                                            guint64      *out_count,
                                            GError      **error)
{
  CwNodeStoreSqlite *self = CW_NODE_STORE_SQLITE (store);
  g_autoptr(sqlite3_stmt) stmt = NULL;

  stmt = cw_node_store_sqlite_prepare (self,
                                       "SELECT count(*) FROM invites"
                                       " WHERE used = 0 AND expires > ?1",
                                       error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, now);

  if (sqlite3_step (stmt) != SQLITE_ROW)
    return cw_node_store_sqlite_set_error (self, error, "counting invites");

  *out_count = sqlite3_column_int64 (stmt, 0);

  return TRUE;
}

void
cw_node_store_sqlite_directory_iface_init (CwNodeStoreInterface *iface)
{
  iface->add_provider = cw_node_store_sqlite_add_provider;
  iface->remove_provider = cw_node_store_sqlite_remove_provider;
  iface->lookup_provider = cw_node_store_sqlite_lookup_provider;
  iface->search_providers = cw_node_store_sqlite_search_providers;
  iface->count_providers = cw_node_store_sqlite_count_providers;
  iface->add_invite = cw_node_store_sqlite_add_invite;
  iface->count_pending_invites = cw_node_store_sqlite_count_pending_invites;
}

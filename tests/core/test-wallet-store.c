/* test-wallet-store.c: the wallet database: file mode and pragmas,
 * migrations, the outbox and chain head, checkpoints, alerts, the lists, a
 * reopen, and that no secret key ever reaches the files. */
#include "config.h"

#include <glib/gstdio.h>
#include <sodium.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/stat.h>

#include "cw-dsse.h"
#include "cw-merkle.h"
#include "cw-tlog-proof.h"
#include "cw-wallet-store-private.h"

typedef struct {
  char *dir;
  char *path;
  CwSigningKey *key;
  guint8 recovery[CW_PUBLIC_KEY_SIZE];
  CwWalletStore *store;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("cw-wallet-store-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "wallet", "wallet.db", NULL);
  f->key = cw_signing_key_generate ("patient", CW_KEY_TYPE_ED25519, &error);
  g_assert_no_error (error);
  randombytes_buf (f->recovery, sizeof f->recovery);
}

static void
remove_tree (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *child = g_build_filename (dir, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (dir);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->store);
  g_clear_pointer (&f->key, cw_signing_key_unref);
  remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->path);
}

static char *
patient_id (Fixture *f)
{
  return cw_base64_encode (cw_signing_key_get_public_key (f->key), CW_PUBLIC_KEY_SIZE);
}

static void
set_identity (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *pid = patient_id (f);
  g_autofree char *recovery = cw_base64_encode (f->recovery, sizeof f->recovery);
  CwStoreIdentity identity = { pid, pid, recovery, "clinic-one", 1700000000 };

  g_assert_true (cw_wallet_store_set_identity (f->store, &identity, &error));
  g_assert_no_error (error);
}

static void
open_store (Fixture *f)
{
  g_autoptr(GError) error = NULL;

  g_clear_object (&f->store);
  f->store = cw_wallet_store_new (f->path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (f->store);
}

/* A signed envelope of the patient's transaction number @seq after @prev
 * (base64 ID, NULL for the enrollment). */
static char *
signed_tx (Fixture    *f,
           guint64     seq,
           const char *prev,
           const char *provider)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) expires = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) later = g_date_time_add_days (expires, 365);
  g_autoptr(CwTx) tx = NULL;
  g_autoptr(GBytes) payload = NULL;
  g_autoptr(CwDsseEnvelope) envelope = NULL;
  guint8 prev_id[CW_TX_ID_SIZE];
  CwTxCommon common = { cw_signing_key_get_public_key (f->key), seq, NULL, NULL, NULL };

  if (prev != NULL)
    {
      g_assert_true (cw_base64_decode_fixed (prev, -1, prev_id, sizeof prev_id, NULL));
      common.prev = prev_id;
    }

  if (seq == 0)
    tx = cw_tx_new_enroll (&common, f->recovery, "INVITE-1", "clinic-one", &error);
  else
    tx = cw_tx_new_grant (&common, provider ? provider : "dr-who", CW_SCOPE_SUMMARY | CW_SCOPE_ALLERGIES,
                          CW_PURPOSE_TREAT, CW_ACCESS_VIEW, NULL, NULL, later, NULL, &error);
  g_assert_no_error (error);

  payload = cw_tx_to_payload (tx);
  envelope = cw_dsse_envelope_sign (payload, f->key, &error);
  g_assert_no_error (error);
  return cw_dsse_envelope_to_json (envelope, NULL);
}

/* Enqueues the next transaction after the current head; returns its ID. */
static char *
enqueue_next (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *head = NULL;
  g_autofree char *envelope = NULL;
  g_autoptr(CwStoreTx) stored = NULL;
  guint64 seq = 0;
  gboolean has_head = cw_wallet_store_get_chain_head (f->store, &seq, &head, &error);

  g_assert_no_error (error);
  envelope = signed_tx (f, has_head ? seq + 1 : 0, head, NULL);
  stored = cw_wallet_store_enqueue_transaction (f->store, envelope, &error);
  g_assert_no_error (error);
  g_assert_cmpint (stored->state, ==, CW_STORE_TX_QUEUED);
  g_assert_cmpuint (stored->seq, ==, has_head ? seq + 1 : 0);

  return g_strdup (stored->id);
}

/* The integer that @sql (one row, one column) reads, beside the store. */
static int
raw_int (const char *path,
         const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  int value;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  return value;
}

static int
raw_user_version (const char *path)
{
  return raw_int (path, "PRAGMA user_version");
}

static void
raw_exec (const char *path,
          const char *sql)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
}

static void
assert_mode_0600 (const char *path)
{
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
}

static void
test_open (Fixture       *f,
           gconstpointer  data)
{
  g_autofree char *wal = g_strconcat (f->path, "-wal", NULL);
  g_autofree char *dir = g_path_get_dirname (f->path);
  GStatBuf st;

  open_store (f);
  set_identity (f);
  assert_mode_0600 (f->path);
  assert_mode_0600 (wal);
  g_assert_cmpint (g_stat (dir, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);
  g_assert_cmpint (raw_user_version (f->path), ==, CW_WALLET_STORE_SCHEMA_VERSION);
  g_assert_cmpstr (cw_wallet_store_get_path (f->store), ==, f->path);
}

static void
test_migrate_from_v1 (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) txs = NULL;
  g_autoptr(CwStoreIdentity) identity = NULL;
  g_autofree char *id = NULL;
  g_autofree char *pid = patient_id (f);

  f->store = cw_wallet_store_new_at_version (f->path, 1, &error);
  g_assert_no_error (error);
  set_identity (f);
  id = enqueue_next (f);
  g_clear_object (&f->store);
  g_assert_cmpint (raw_user_version (f->path), ==, 1);

  open_store (f);
  g_assert_cmpint (raw_user_version (f->path), ==, CW_WALLET_STORE_SCHEMA_VERSION);
  identity = cw_wallet_store_get_identity (f->store, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (identity->patient_id, ==, pid);
  txs = cw_wallet_store_list_transactions (f->store, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (txs->len, ==, 1);
  g_assert_cmpstr (((CwStoreTx *) txs->pdata[0])->id, ==, id);
  g_assert_cmpuint (((CwStoreTx *) txs->pdata[0])->attempts, ==, 0);
  g_assert_true (cw_wallet_store_mark_sent (f->store, id, &error));
  g_assert_no_error (error);
}

static void
test_refuse_newer_and_garbage (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CwWalletStore) store = NULL;
  g_autofree char *garbage = g_build_filename (f->dir, "garbage.db", NULL);

  open_store (f);
  g_clear_object (&f->store);
  raw_exec (f->path, "PRAGMA user_version = 99");
  store = cw_wallet_store_new (f->path, &error);
  g_assert_error (error, CW_WALLET_STORE_ERROR, CW_WALLET_STORE_ERROR_TOO_NEW);
  g_assert_null (store);
  g_assert_cmpint (raw_user_version (f->path), ==, 99);
  g_clear_error (&error);

  g_assert_true (g_file_set_contents (garbage, "This is not an SQLite database, not at all, no.", -1, NULL));
  store = cw_wallet_store_new (garbage, &error);
  g_assert_error (error, CW_WALLET_STORE_ERROR, CW_WALLET_STORE_ERROR_CORRUPT);
  g_assert_null (store);
}

/* Everything a refused enqueue could have touched. */
static char *
snapshot (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) txs = cw_wallet_store_list_transactions (f->store, TRUE, &error);
  g_autofree char *head = NULL;
  guint64 seq = 0;
  GString *s = g_string_new (NULL);

  g_assert_no_error (error);
  if (cw_wallet_store_get_chain_head (f->store, &seq, &head, &error))
    g_string_append_printf (s, "head %" G_GUINT64_FORMAT " %s\n", seq, head);
  for (guint i = 0; i < txs->len; i++)
    {
      CwStoreTx *tx = txs->pdata[i];

      g_string_append_printf (s, "%s %" G_GUINT64_FORMAT " %s\n", tx->id, tx->seq,
                              cw_store_tx_state_to_string (tx->state));
    }

  return g_string_free (s, FALSE);
}

static void
assert_enqueue_refused (Fixture            *f,
                        const char         *envelope,
                        CwWalletStoreError  code)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *before = snapshot (f);
  g_autofree char *after = NULL;
  g_autoptr(CwStoreTx) tx = cw_wallet_store_enqueue_transaction (f->store, envelope, &error);

  g_assert_error (error, CW_WALLET_STORE_ERROR, (gint) code);
  g_assert_null (tx);
  after = snapshot (f);
  g_assert_cmpstr (before, ==, after);
}

static void
test_enqueue (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *enroll = NULL, *first = NULL;
  g_autofree char *stale = NULL, *gap = NULL, *reenroll = NULL, *head = NULL;
  g_autoptr(CwSigningKey) other = cw_signing_key_generate ("patient", CW_KEY_TYPE_ED25519, NULL);
  g_autoptr(GError) error = NULL;
  guint64 seq;

  open_store (f);
  reenroll = signed_tx (f, 0, NULL, NULL);
  assert_enqueue_refused (f, reenroll, CW_WALLET_STORE_ERROR_INVALID);
  set_identity (f);
  assert_enqueue_refused (f, "{\"payload\": \"garbage\"}", CW_WALLET_STORE_ERROR_INVALID);
  gap = signed_tx (f, 1, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", NULL);
  assert_enqueue_refused (f, gap, CW_WALLET_STORE_ERROR_CHAIN);

  enroll = enqueue_next (f);
  first = enqueue_next (f);
  stale = signed_tx (f, 2, enroll, NULL);          /* seq right, prev wrong */
  assert_enqueue_refused (f, stale, CW_WALLET_STORE_ERROR_CHAIN);
  g_clear_pointer (&stale, g_free);
  stale = signed_tx (f, 1, enroll, "dr-no");      /* a second seq 1 */
  assert_enqueue_refused (f, stale, CW_WALLET_STORE_ERROR_CHAIN);
  assert_enqueue_refused (f, reenroll, CW_WALLET_STORE_ERROR_CHAIN);
  g_clear_pointer (&gap, g_free);
  gap = signed_tx (f, 3, first, NULL);
  assert_enqueue_refused (f, gap, CW_WALLET_STORE_ERROR_CHAIN);

  /* Another patient's transaction, even one that would fit the chain. */
  g_clear_pointer (&f->key, cw_signing_key_unref);
  f->key = cw_signing_key_ref (other);
  g_clear_pointer (&gap, g_free);
  gap = signed_tx (f, 2, first, NULL);
  assert_enqueue_refused (f, gap, CW_WALLET_STORE_ERROR_INVALID);

  g_assert_true (cw_wallet_store_get_chain_head (f->store, &seq, &head, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (seq, ==, 1);
  g_assert_cmpstr (head, ==, first);
}

static CwStoreTx *
tx_at (GPtrArray *txs,
       guint      i)
{
  return txs->pdata[i];
}

static void
test_outbox_states (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) outbox = NULL;
  g_autoptr(GPtrArray) history = NULL;
  g_autoptr(CwStoreTx) tx = NULL;
  char *ids[4] = { NULL };
  g_autofree char *head = NULL;
  g_autofree char *replacement = NULL;
  guint64 seq;

  open_store (f);
  set_identity (f);
  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    ids[i] = enqueue_next (f);

  outbox = cw_wallet_store_list_transactions (f->store, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (outbox->len, ==, 4);
  for (guint i = 0; i < 4; i++)
    {
      g_assert_cmpstr (tx_at (outbox, i)->id, ==, ids[i]);
      g_assert_cmpuint (tx_at (outbox, i)->seq, ==, i);
    }
  g_clear_pointer (&outbox, g_ptr_array_unref);

  g_assert_true (cw_wallet_store_mark_sent (f->store, ids[0], &error));
  g_assert_true (cw_wallet_store_mark_sent (f->store, ids[0], &error));
  g_assert_true (cw_wallet_store_mark_confirmed (f->store, ids[0], "receipt-0", 7, &error));
  g_assert_true (cw_wallet_store_mark_confirmed (f->store, ids[0], "receipt-0", 7, &error));
  g_assert_true (cw_wallet_store_mark_confirmed (f->store, ids[1], "receipt-1", 8, &error));
  g_assert_no_error (error);
  g_assert_false (cw_wallet_store_mark_confirmed (f->store, ids[0], "receipt-x", 9, &error));
  g_assert_error (error, CW_WALLET_STORE_ERROR, CW_WALLET_STORE_ERROR_STATE);
  g_clear_error (&error);
  g_assert_false (cw_wallet_store_mark_sent (f->store, ids[1], &error));
  g_assert_error (error, CW_WALLET_STORE_ERROR, CW_WALLET_STORE_ERROR_STATE);
  g_clear_error (&error);
  g_assert_false (cw_wallet_store_mark_sent (f->store, "nope", &error));
  g_assert_error (error, CW_WALLET_STORE_ERROR, CW_WALLET_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  tx = cw_wallet_store_get_transaction (f->store, ids[0], &error);
  g_assert_no_error (error);
  g_assert_cmpint (tx->state, ==, CW_STORE_TX_CONFIRMED);
  g_assert_cmpstr (tx->receipt, ==, "receipt-0");
  g_assert_cmpint (tx->log_index, ==, 7);
  g_assert_cmpuint (tx->attempts, ==, 2);
  g_assert_cmpint (tx->type, ==, CW_TX_TYPE_ENROLL);

  outbox = cw_wallet_store_list_transactions (f->store, FALSE, &error);
  g_assert_cmpuint (outbox->len, ==, 2);
  g_assert_cmpstr (tx_at (outbox, 0)->id, ==, ids[2]);
  g_clear_pointer (&outbox, g_ptr_array_unref);

  /* Rejecting seq 2 takes seq 3 with it and moves the head back to seq 1. */
  g_assert_true (cw_wallet_store_mark_rejected (f->store, ids[2], "provider unknown", &error));
  g_assert_no_error (error);
  g_assert_false (cw_wallet_store_mark_rejected (f->store, ids[0], "late", &error));
  g_assert_error (error, CW_WALLET_STORE_ERROR, CW_WALLET_STORE_ERROR_STATE);
  g_clear_error (&error);
  g_assert_true (cw_wallet_store_get_chain_head (f->store, &seq, &head, &error));
  g_assert_cmpuint (seq, ==, 1);
  g_assert_cmpstr (head, ==, ids[1]);
  outbox = cw_wallet_store_list_transactions (f->store, FALSE, &error);
  g_assert_cmpuint (outbox->len, ==, 0);

  /* The chain goes on from seq 1 again. */
  replacement = enqueue_next (f);
  history = cw_wallet_store_list_transactions (f->store, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (history->len, ==, 5);
  g_assert_cmpint (tx_at (history, 2)->state, ==, CW_STORE_TX_REJECTED);
  g_assert_cmpstr (tx_at (history, 2)->error, ==, "provider unknown");
  g_assert_cmpstr (tx_at (history, 3)->id, ==, replacement);
  g_assert_cmpuint (tx_at (history, 3)->seq, ==, 2);
  g_assert_cmpint (tx_at (history, 4)->state, ==, CW_STORE_TX_REJECTED);
  g_assert_nonnull (strstr (tx_at (history, 4)->error, "provider unknown"));

  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    g_free (ids[i]);
}

static void
test_checkpoints (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CwStoreCheckpoint) latest = NULL;
  guint8 root[32], other[32];

  memset (root, 0xaa, sizeof root);
  memset (other, 0xbb, sizeof other);
  open_store (f);
  g_assert_null (cw_wallet_store_get_latest_checkpoint (f->store, &error));
  g_assert_no_error (error);

  g_assert_true (cw_wallet_store_record_checkpoint (f->store, 10, root, "note 10", &error));
  g_assert_false (cw_wallet_store_record_checkpoint (f->store, 9, root, "note 9", &error));
  g_assert_error (error, CW_WALLET_STORE_ERROR, CW_WALLET_STORE_ERROR_CHECKPOINT);
  g_clear_error (&error);
  g_assert_false (cw_wallet_store_record_checkpoint (f->store, 10, other, "fork", &error));
  g_assert_error (error, CW_WALLET_STORE_ERROR, CW_WALLET_STORE_ERROR_CHECKPOINT);
  g_clear_error (&error);
  g_assert_true (cw_wallet_store_record_checkpoint (f->store, 10, root, "note 10 cosigned", &error));
  g_assert_true (cw_wallet_store_record_checkpoint (f->store, 20, other, "note 20", &error));
  g_assert_no_error (error);

  latest = cw_wallet_store_get_latest_checkpoint (f->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (latest->size, ==, 20);
  g_assert_cmpmem (latest->root, 32, other, 32);
  g_assert_cmpstr (latest->note, ==, "note 20");
  g_assert_false (cw_wallet_store_record_checkpoint (f->store, 10, root, "note 10", &error));
  g_assert_error (error, CW_WALLET_STORE_ERROR, CW_WALLET_STORE_ERROR_CHECKPOINT);
}

static void
test_alerts (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) evidence = g_bytes_new_static ("proof\0bytes", 11);
  g_autoptr(GPtrArray) open_alerts = NULL;
  g_autoptr(GPtrArray) all = NULL;
  gint64 first, second;

  open_store (f);
  first = cw_wallet_store_raise_alert (f->store, "bad-proof", "The receipt does not prove inclusion.",
                                       evidence, &error);
  second = cw_wallet_store_raise_alert (f->store, "no-quorum", "Too few witnesses.", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (second, >, first);

  g_assert_true (cw_wallet_store_acknowledge_alert (f->store, first, &error));
  g_assert_false (cw_wallet_store_acknowledge_alert (f->store, 4242, &error));
  g_assert_error (error, CW_WALLET_STORE_ERROR, CW_WALLET_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  open_alerts = cw_wallet_store_list_alerts (f->store, FALSE, &error);
  g_assert_cmpuint (open_alerts->len, ==, 1);
  g_assert_cmpstr (((CwStoreAlert *) open_alerts->pdata[0])->kind, ==, "no-quorum");
  g_assert_null (((CwStoreAlert *) open_alerts->pdata[0])->evidence);
  all = cw_wallet_store_list_alerts (f->store, TRUE, &error);
  g_assert_cmpuint (all->len, ==, 2);
  g_assert_true (g_bytes_equal (((CwStoreAlert *) all->pdata[1])->evidence, evidence));
  g_assert_cmpint (((CwStoreAlert *) all->pdata[1])->acknowledged, >, 0);
}

/* Populates every table, as a session of use would. */
static void
scripted_session (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *enroll = NULL, *grant = NULL;
  g_autoptr(CwStoreTx) tx = NULL;
  g_autofree char *log_key = NULL;
  g_autoptr(CwSigningKey) log = cw_signing_key_generate ("log.example.org", CW_KEY_TYPE_ED25519, NULL);
  g_autoptr(CwNodeProfile) config = NULL;
  guint8 root[32] = { 1 };
  CwStoreGrant g = { NULL, "dr-who", CW_SCOPE_SUMMARY, CW_PURPOSE_TREAT, CW_ACCESS_VIEW,
                     "2020-01-01", NULL, 1700000000, 1800000000, NULL, 3, NULL, NULL };
  CwStoreProvider p = { "dr-who", "Dr Who", "TARDIS Clinic", "practice", "AAAA", 0 };
  CwStoreRequest r = { "req-1", "dr-who", CW_SCOPE_VITALS, CW_PURPOSE_CAREMGT, CW_ACCESS_VIEW,
                       1700000000, 1800000000, "Follow-up", CW_STORE_REQUEST_PENDING, NULL, "{}" };
  CwStoreAccessEvent a = { "acc-1", "dr-who", NULL, CW_SCOPE_SUMMARY, CW_PURPOSE_TREAT,
                           1700000100, TRUE, 5, "{}", "receipt" };

  log_key = cw_verifier_key_to_string (cw_signing_key_get_verifier (log));
  config = cw_node_profile_new ("https://node.example.org", NULL, log_key, NULL, 0, &error);
  g_assert_no_error (error);
  g_assert_true (cw_wallet_store_set_node_profile (f->store, config, &error));
  set_identity (f);
  enroll = enqueue_next (f);
  grant = enqueue_next (f);
  g_assert_true (cw_wallet_store_mark_confirmed (f->store, enroll, "receipt-enroll", 2, &error));
  g_assert_true (cw_wallet_store_mark_sent (f->store, grant, &error));
  g_assert_true (cw_wallet_store_record_checkpoint (f->store, 4, root, "checkpoint", &error));
  tx = cw_wallet_store_get_transaction (f->store, grant, &error);
  g.id = grant;
  g.envelope = tx->envelope;
  a.grant_id = grant;
  g_assert_true (cw_wallet_store_upsert_grant (f->store, &g, &error));
  g_assert_true (cw_wallet_store_upsert_provider (f->store, &p, &error));
  g_assert_true (cw_wallet_store_upsert_request (f->store, &r, &error));
  r.state = CW_STORE_REQUEST_DENIED;
  g_assert_true (cw_wallet_store_upsert_request (f->store, &r, &error));
  g_assert_true (cw_wallet_store_upsert_access_event (f->store, &a, &error));
  g_assert_cmpint (cw_wallet_store_raise_alert (f->store, "test", "Test alert.", NULL, &error), >, 0);
  g_assert_no_error (error);
}

static void
test_reopen (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CwStoreIdentity) identity = NULL;
  g_autoptr(CwNodeProfile) config = NULL;
  g_autoptr(GPtrArray) txs = NULL, grants = NULL, providers = NULL, requests = NULL, events = NULL;
  g_autoptr(GPtrArray) alerts = NULL;
  g_autoptr(CwStoreCheckpoint) checkpoint = NULL;
  g_autoptr(CwStoreRequest) request = NULL;
  g_autofree char *head = NULL;
  guint64 seq;

  open_store (f);
  scripted_session (f);
  cw_wallet_store_close (f->store);
  g_assert_null (cw_wallet_store_get_identity (f->store, &error));
  g_assert_error (error, CW_WALLET_STORE_ERROR, CW_WALLET_STORE_ERROR_FAILED);
  g_clear_error (&error);

  open_store (f);
  identity = cw_wallet_store_get_identity (f->store, &error);
  g_assert_cmpstr (identity->clinic, ==, "clinic-one");
  config = cw_wallet_store_get_node_profile (f->store, &error);
  g_assert_cmpstr (config->url, ==, "https://node.example.org");
  g_assert_null (config->tls_pin);
  txs = cw_wallet_store_list_transactions (f->store, TRUE, &error);
  g_assert_cmpuint (txs->len, ==, 2);
  g_assert_cmpint (tx_at (txs, 0)->state, ==, CW_STORE_TX_CONFIRMED);
  g_assert_cmpint (tx_at (txs, 1)->state, ==, CW_STORE_TX_SENT);
  g_assert_true (cw_wallet_store_get_chain_head (f->store, &seq, &head, &error));
  g_assert_cmpuint (seq, ==, 1);
  g_assert_cmpstr (head, ==, tx_at (txs, 1)->id);
  checkpoint = cw_wallet_store_get_latest_checkpoint (f->store, &error);
  g_assert_cmpuint (checkpoint->size, ==, 4);
  grants = cw_wallet_store_list_grants (f->store, &error);
  g_assert_cmpuint (grants->len, ==, 1);
  g_assert_cmpint (((CwStoreGrant *) grants->pdata[0])->purpose, ==, CW_PURPOSE_TREAT);
  g_assert_cmpstr (((CwStoreGrant *) grants->pdata[0])->data_from, ==, "2020-01-01");
  g_assert_cmpint (((CwStoreGrant *) grants->pdata[0])->log_index, ==, 3);
  providers = cw_wallet_store_list_providers (f->store, &error);
  g_assert_cmpstr (((CwStoreProvider *) providers->pdata[0])->organization, ==, "TARDIS Clinic");
  requests = cw_wallet_store_list_requests (f->store, &error);
  g_assert_cmpuint (requests->len, ==, 1);
  request = cw_wallet_store_get_request (f->store, "req-1", &error);
  g_assert_cmpint (request->state, ==, CW_STORE_REQUEST_DENIED);
  g_assert_cmpint (request->purpose, ==, CW_PURPOSE_CAREMGT);
  events = cw_wallet_store_list_access_events (f->store, TRUE, &error);
  g_assert_cmpuint (events->len, ==, 1);
  g_assert_true (((CwStoreAccessEvent *) events->pdata[0])->allowed);
  g_assert_cmpint (cw_wallet_store_get_last_access_index (f->store, &error), ==, 5);
  alerts = cw_wallet_store_list_alerts (f->store, FALSE, &error);
  g_assert_cmpuint (alerts->len, ==, 1);
  g_assert_null (cw_wallet_store_get_grant (f->store, "missing", &error));
  g_assert_no_error (error);
}

static gboolean
file_contains (const char *path,
               const void *needle,
               gsize       len)
{
  g_autofree char *data = NULL;
  gsize size = 0;

  if (!g_file_get_contents (path, &data, &size, NULL))
    return FALSE;
  for (gsize i = 0; i + len <= size; i++)
    if (memcmp (data + i, needle, len) == 0)
      return TRUE;

  return FALSE;
}

static void
test_no_secret_on_disk (Fixture       *f,
                        gconstpointer  data)
{
  const guint8 *seed = cw_signing_key_peek_seed (f->key);
  g_autofree char *hex = cw_hex_encode (seed, CW_SEED_SIZE);
  g_autofree char *b64 = cw_base64_encode (seed, CW_SEED_SIZE);
  g_autofree char *b64url = cw_base64url_encode (seed, CW_SEED_SIZE);
  g_autofree char *dir = g_path_get_dirname (f->path);
  g_autoptr(GDir) d = NULL;
  const char *name;
  guint n_files = 0;

  open_store (f);
  scripted_session (f);
  /* Look at the WAL while it is live, then at everything after closing. */
  for (guint round = 0; round < 2; round++)
    {
      d = g_dir_open (dir, 0, NULL);
      while ((name = g_dir_read_name (d)) != NULL)
        {
          g_autofree char *path = g_build_filename (dir, name, NULL);

          n_files++;
          g_assert_false (file_contains (path, seed, CW_SEED_SIZE));
          g_assert_false (file_contains (path, hex, strlen (hex)));
          g_assert_false (file_contains (path, b64, strlen (b64) - 1));
          g_assert_false (file_contains (path, b64url, strlen (b64url)));
          /* The file does hold public data. */
        }
      g_clear_pointer (&d, g_dir_close);
      g_clear_object (&f->store);
    }
  g_assert_cmpuint (n_files, >=, 3);
  g_assert_true (file_contains (f->path, "dr-who", 6));
}

static goffset
file_size (const char *path)
{
  GStatBuf st;

  return g_stat (path, &st) == 0 ? (goffset) st.st_size : -1;
}

/* @n access events with IDs "@prefix-00000"…, each with @envelope. */
static void
add_bulk_events (CwWalletStore *store,
                 const char    *prefix,
                 guint          n,
                 const char    *envelope)
{
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *id = g_strdup_printf ("%s-%05u", prefix, i);
      CwStoreAccessEvent a = { id, "dr-who", "grant", CW_SCOPE_SUMMARY, CW_PURPOSE_TREAT,
                               1700000100 + i, TRUE, 10 + i, (char *) envelope, "receipt" };

      g_assert_true (cw_wallet_store_upsert_access_event (store, &a, &error));
      g_assert_no_error (error);
    }
}

/* A commit that leaves the WAL long (here ~8 MB of access events, as a
 * first sync writes) is copied back into the database file by a pool
 * thread of the store: the file grows with no further call, and
 * everything committed is there, before and after a reopen. */
static void
test_checkpoint_in_background (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autofree char *envelope = NULL;
  goffset before;
  guint n = 3000;

  open_store (f);
  scripted_session (f);
  envelope = g_strnfill (2500, 'e');
  before = file_size (f->path);
  g_assert_cmpint (before, >, 0);

  g_assert_true (cw_wallet_store_batch_begin (f->store, &error));
  add_bulk_events (f->store, "bulk", n, envelope);
  g_assert_true (cw_wallet_store_batch_commit (f->store, &error));
  g_assert_no_error (error);

  /* No timing: this waits as long as it takes, and only hangs (the test
   * timeout then fails it) if no checkpoint ever runs. */
  while (file_size (f->path) < before + (goffset) n * 2500)
    g_usleep (10 * G_TIME_SPAN_MILLISECOND);

  events = cw_wallet_store_list_access_events (f->store, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (events->len, ==, n + 1);
  g_clear_pointer (&events, g_ptr_array_unref);

  open_store (f);
  events = cw_wallet_store_list_access_events (f->store, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (events->len, ==, n + 1);
}

#define RECEIPT_NOTE "log.example.org/consent\n5\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n\n\u2014 log.example.org/consent AAAAAGFiY2Q=\n"

/* What cw_tlog_proof_format() writes for @n hashes of bytes 1, 2, …. */
static char *
expected_receipt (guint64       index,
                  const guint8 *hashes,
                  guint         n)
{
  g_autoptr(GPtrArray) proof = cw_merkle_proof_new_from_flat (hashes, n);
  g_autoptr(CwTlogProof) bundle = cw_tlog_proof_new (index, proof, RECEIPT_NOTE, NULL);

  return cw_tlog_proof_format (bundle);
}

static CwStoreAccessEvent *
event_at (GPtrArray *events,
          guint      i)
{
  return g_ptr_array_index (events, i);
}

/* Receipts kept as parts (schema 5): each note stored once, the receipt
 * read back as the text it stands for, an empty proof (a tree of one) as
 * an empty one; a text receipt as it was; without receipts, none is
 * formatted; and nothing saved without a receipt or with an unknown note. */
static void
test_access_receipt_parts (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  guint8 hashes[2 * CW_MERKLE_HASH_SIZE];
  gint64 note_id;
  CwStoreAccessEvent event = { "ev-1", "prov-1", "grant-1", CW_SCOPE_MEDICATIONS, CW_PURPOSE_TREAT,
                               1700000000, TRUE, 7, "{\"e\":1}", NULL, hashes, 2, 0 };

  for (guint i = 0; i < sizeof hashes; i++)
    hashes[i] = (guint8) (i + 1);
  open_store (f);
  note_id = cw_wallet_store_add_receipt_note (f->store, RECEIPT_NOTE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (note_id, >, 0);
  g_assert_cmpint (cw_wallet_store_add_receipt_note (f->store, RECEIPT_NOTE, &error), ==, note_id);
  g_assert_cmpint (cw_wallet_store_add_receipt_note (f->store, "other\n1\nroot\n", &error), !=,
                   note_id);

  event.note_id = note_id;
  g_assert_true (cw_wallet_store_upsert_access_event (f->store, &event, &error));
  event.id = "ev-2";
  event.log_index = 0;
  event.proof = NULL;
  event.n_proof = 0;
  g_assert_true (cw_wallet_store_upsert_access_event (f->store, &event, &error));
  event.id = "ev-3";
  event.log_index = 9;
  event.receipt = "a receipt kept as text";
  g_assert_true (cw_wallet_store_upsert_access_event (f->store, &event, &error));
  g_assert_no_error (error);

  events = cw_wallet_store_list_access_events (f->store, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (events->len, ==, 3);
  first = expected_receipt (0, NULL, 0);
  second = expected_receipt (7, hashes, 2);
  g_assert_cmpstr (event_at (events, 0)->id, ==, "ev-2");
  g_assert_cmpstr (event_at (events, 0)->receipt, ==, first);
  g_assert_cmpstr (event_at (events, 1)->receipt, ==, second);
  g_assert_cmpstr (event_at (events, 2)->receipt, ==, "a receipt kept as text");
  g_assert_cmpstr (event_at (events, 1)->envelope, ==, "{\"e\":1}");
  g_clear_pointer (&events, g_ptr_array_unref);

  events = cw_wallet_store_list_access_events (f->store, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (events->len, ==, 3);
  for (guint i = 0; i < events->len; i++)
    g_assert_null (event_at (events, i)->receipt);
  g_assert_cmpint (raw_int (f->path, "SELECT count (*) FROM receipt_notes"), ==, 2);

  event.id = "ev-4";
  event.receipt = NULL;
  event.note_id = 0;
  g_assert_false (cw_wallet_store_upsert_access_event (f->store, &event, &error));
  g_assert_error (error, CW_WALLET_STORE_ERROR, CW_WALLET_STORE_ERROR_INVALID);
  g_clear_error (&error);
  event.note_id = note_id + 1000;
  g_assert_false (cw_wallet_store_upsert_access_event (f->store, &event, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  event.receipt = "";
  g_assert_false (cw_wallet_store_upsert_access_event (f->store, &event, &error));
  g_assert_error (error, CW_WALLET_STORE_ERROR, CW_WALLET_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_clear_pointer (&events, g_ptr_array_unref);
  events = cw_wallet_store_list_access_events (f->store, TRUE, &error);
  g_assert_cmpuint (events->len, ==, 3);
}

/* Schema 4 -> 5 rebuilds access_events: an event stored before keeps its
 * receipt text, and events with parts can follow it. */
static void
test_migrate_from_v4 (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autofree char *expected = NULL;
  gint64 note_id;
  CwStoreAccessEvent event = { "ev-new", "prov-1", "grant-1", CW_SCOPE_MEDICATIONS,
                               CW_PURPOSE_TREAT, 1700000001, FALSE, 12, "{\"e\":2}", NULL, NULL,
                               0, 0 };

  f->store = cw_wallet_store_new_at_version (f->path, 4, &error);
  g_assert_no_error (error);
  g_clear_object (&f->store);
  raw_exec (f->path, "INSERT INTO access_events VALUES ('ev-old', 'prov-1', 'grant-1', 4, "
                     "'treat', 1700000000, 1, 11, '{\"e\":1}', 'the old receipt')");
  g_assert_cmpint (raw_user_version (f->path), ==, 4);

  open_store (f);
  g_assert_cmpint (raw_user_version (f->path), ==, CW_WALLET_STORE_SCHEMA_VERSION);
  note_id = cw_wallet_store_add_receipt_note (f->store, RECEIPT_NOTE, &error);
  g_assert_no_error (error);
  event.note_id = note_id;
  g_assert_true (cw_wallet_store_upsert_access_event (f->store, &event, &error));
  g_assert_no_error (error);

  events = cw_wallet_store_list_access_events (f->store, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (events->len, ==, 2);
  g_assert_cmpstr (event_at (events, 0)->id, ==, "ev-old");
  g_assert_cmpstr (event_at (events, 0)->receipt, ==, "the old receipt");
  g_assert_cmpstr (event_at (events, 0)->envelope, ==, "{\"e\":1}");
  g_assert_cmpint (event_at (events, 0)->log_index, ==, 11);
  g_assert_true (event_at (events, 0)->allowed);
  expected = expected_receipt (12, NULL, 0);
  g_assert_cmpstr (event_at (events, 1)->receipt, ==, expected);
  g_assert_cmpint (cw_wallet_store_get_last_access_index (f->store, &error), ==, 12);
}

/* The app and consent-wallet-cli open the same wallet file, each with a
 * connection of its own: while one holds a batch open, the other keeps
 * reading the committed state (WAL), sees the batch only once committed,
 * and nothing of a rolled-back one. */
static guint
n_access_events (CwWalletStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = cw_wallet_store_list_access_events (store, FALSE, &error);

  g_assert_no_error (error);
  return events->len;
}


static void
test_second_connection_batch (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CwWalletStore) writer = NULL;
  g_autoptr(CwStoreIdentity) identity = NULL;
  guint before;

  open_store (f);
  scripted_session (f);
  before = n_access_events (f->store);
  writer = cw_wallet_store_new (f->path, &error);
  g_assert_no_error (error);

  /* Rolled back: never seen, nothing left. */
  g_assert_true (cw_wallet_store_batch_begin (writer, &error));
  add_bulk_events (writer, "lost", 50, "{}");
  g_assert_cmpuint (n_access_events (writer), ==, before + 50);
  g_assert_cmpuint (n_access_events (f->store), ==, before);
  cw_wallet_store_batch_rollback (writer);
  g_assert_cmpuint (n_access_events (f->store), ==, before);

  /* Committed: read meanwhile as it was, then all of it at once. */
  g_assert_true (cw_wallet_store_batch_begin (writer, &error));
  add_bulk_events (writer, "kept", 50, "{}");
  g_assert_cmpuint (n_access_events (f->store), ==, before);
  identity = cw_wallet_store_get_identity (f->store, &error);
  g_assert_no_error (error);
  g_assert_nonnull (identity);
  g_assert_true (cw_wallet_store_batch_commit (writer, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_access_events (f->store), ==, before + 50);
}

int
main (int argc, char *argv[])
{
  g_assert_cmpint (sodium_init (), >=, 0);
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/wallet-store/open", test_open);
  ADD ("/wallet-store/migrate/from-v1", test_migrate_from_v1);
  ADD ("/wallet-store/migrate/refuse-newer-and-garbage", test_refuse_newer_and_garbage);
  ADD ("/wallet-store/migrate/from-v4", test_migrate_from_v4);
  ADD ("/wallet-store/access/receipt-parts", test_access_receipt_parts);
  ADD ("/wallet-store/outbox/enqueue", test_enqueue);
  ADD ("/wallet-store/outbox/states", test_outbox_states);
  ADD ("/wallet-store/checkpoints", test_checkpoints);
  ADD ("/wallet-store/alerts", test_alerts);
  ADD ("/wallet-store/reopen", test_reopen);
  ADD ("/wallet-store/checkpoint-in-background", test_checkpoint_in_background);
  ADD ("/wallet-store/batch/second-connection", test_second_connection_batch);
  ADD ("/wallet-store/no-secret-on-disk", test_no_secret_on_disk);
#undef ADD

  return g_test_run ();
}

/* test-fault-store.c: a full disk and a failing disk under both SQLite
 * stores, through fault-vfs.c: the wallet store (the outbox) and the node
 * store behind the real sequencer. Each write that fails must give a clear
 * error and change nothing; once the disk works again the same operation
 * succeeds, and the files pass SQLite's integrity check after a reopen. */
#include "config.h"

#include <glib/gstdio.h>
#include <sodium.h>
#include <sqlite3.h>

#include "cw-dsse.h"
#include "cw-encoding.h"
#include "cw-node-invite.h"
#include "cw-node-provider.h"
#include "cw-node-sequencer.h"
#include "cw-node-store-sqlite-private.h"
#include "cw-tx.h"
#include "cw-wallet-store.h"
#include "fault-vfs.h"

#define ORIGIN "fault.test/log"
#define PROVIDER "fault-clinic"

/* Warnings the node logs for its operator, counted instead of being fatal:
 * a failed commit is logged at warning level on purpose. */
static gint n_node_warnings;

static GLogWriterOutput
log_writer_cb (GLogLevelFlags   level,
               const GLogField *fields,
               gsize            n_fields,
               gpointer         user_data)
{
  const char *domain = NULL;
  const char *message = NULL;

  for (gsize i = 0; i < n_fields; i++)
    {
      if (g_str_equal (fields[i].key, "GLIB_DOMAIN"))
        domain = fields[i].value;
      else if (g_str_equal (fields[i].key, "MESSAGE"))
        message = fields[i].value;
    }

  if ((level & G_LOG_LEVEL_WARNING) && g_strcmp0 (domain, "consent-node") == 0)
    {
      g_test_message ("node warning: %s", message);
      g_atomic_int_inc (&n_node_warnings);
      return G_LOG_WRITER_HANDLED;
    }

  return g_log_writer_default (level, fields, n_fields, user_data);
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

/* PRAGMA integrity_check on an open connection. */
static void
assert_db_intact (sqlite3 *db)
{
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (db, "PRAGMA integrity_check", -1, &stmt, NULL) != SQLITE_OK)
    g_error ("integrity_check: %s", sqlite3_errmsg (db));
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "ok");
  sqlite3_finalize (stmt);
}

/* The same for a closed wallet database file. */
static void
assert_intact (const char *path)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  assert_db_intact (db);
  sqlite3_close (db);
}

/* The wallet ------------------------------------------------------------ */

typedef struct {
  char *dir;
  char *path;
  CwSigningKey *key;
  CwWalletStore *store;
} Wallet;

static void
wallet_set_up (Wallet        *w,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *pid = NULL;
  guint8 recovery[CW_PUBLIC_KEY_SIZE];
  g_autofree char *recovery_text = NULL;
  CwStoreIdentity identity = { 0 };

  fault_vfs_set_mode (FAULT_VFS_NONE, 0);
  w->dir = g_dir_make_tmp ("cw-fault-wallet-XXXXXX", &error);
  g_assert_no_error (error);
  w->path = g_build_filename (w->dir, "wallet.db", NULL);
  w->key = cw_signing_key_generate ("patient", CW_KEY_TYPE_ED25519, &error);
  g_assert_no_error (error);
  w->store = cw_wallet_store_new (w->path, &error);
  g_assert_no_error (error);

  randombytes_buf (recovery, sizeof recovery);
  pid = cw_base64_encode (cw_signing_key_get_public_key (w->key), CW_PUBLIC_KEY_SIZE);
  recovery_text = cw_base64_encode (recovery, sizeof recovery);
  identity = (CwStoreIdentity) { pid, pid, recovery_text, PROVIDER, 1700000000 };
  g_assert_true (cw_wallet_store_set_identity (w->store, &identity, &error));
  g_assert_no_error (error);
}

static void
wallet_tear_down (Wallet        *w,
                  gconstpointer  data)
{
  fault_vfs_set_mode (FAULT_VFS_NONE, 0);
  g_clear_object (&w->store);
  g_clear_pointer (&w->key, cw_signing_key_unref);
  remove_tree (w->dir);
  g_free (w->dir);
  g_free (w->path);
}

/* The patient's next transaction after the stored head, signed. */
static char *
next_envelope (Wallet *w)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *head = NULL;
  g_autoptr(GDateTime) later = g_date_time_new_from_unix_utc (4000000000);
  g_autoptr(CwTx) tx = NULL;
  g_autoptr(GBytes) payload = NULL;
  g_autoptr(CwDsseEnvelope) envelope = NULL;
  guint8 prev[CW_TX_ID_SIZE];
  guint64 seq = 0;
  CwTxCommon common = { cw_signing_key_get_public_key (w->key), 0, NULL, NULL, NULL };

  if (cw_wallet_store_get_chain_head (w->store, &seq, &head, &error))
    {
      g_assert_true (cw_base64_decode_fixed (head, -1, prev, sizeof prev, NULL));
      common.seq = seq + 1;
      common.prev = prev;
      tx = cw_tx_new_grant (&common, "dr-fault", CW_SCOPE_SUMMARY, CW_PURPOSE_TREAT,
                            CW_ACCESS_VIEW, NULL, NULL, later, NULL, &error);
    }
  else
    {
      guint8 recovery[CW_PUBLIC_KEY_SIZE];

      g_assert_no_error (error);
      randombytes_buf (recovery, sizeof recovery);
      tx = cw_tx_new_enroll (&common, recovery, "FAULTCODE", PROVIDER, &error);
    }
  g_assert_no_error (error);

  payload = cw_tx_to_payload (tx);
  envelope = cw_dsse_envelope_sign (payload, w->key, &error);
  g_assert_no_error (error);
  return cw_dsse_envelope_to_json (envelope, NULL);
}

static guint
n_transactions (Wallet *w)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = cw_wallet_store_list_transactions (w->store, TRUE, &error);

  g_assert_no_error (error);
  return list->len;
}

static void
test_wallet_fault (Wallet        *w,
                   gconstpointer  data)
{
  FaultVfsMode mode = GPOINTER_TO_INT (data);
  g_autoptr(GError) error = NULL;
  g_autofree char *first = next_envelope (w);
  g_autofree char *second = NULL;
  g_autofree char *head_before = NULL;
  g_autofree char *head_after = NULL;
  g_autoptr(CwStoreTx) stored = NULL;
  guint64 seq_before = 0, seq_after = 0;

  stored = cw_wallet_store_enqueue_transaction (w->store, first, &error);
  g_assert_no_error (error);
  g_clear_pointer (&stored, cw_store_tx_free);
  g_assert_true (cw_wallet_store_get_chain_head (w->store, &seq_before, &head_before, &error));

  /* The disk fills up (or starts failing) before the next consent. */
  second = next_envelope (w);
  fault_vfs_set_mode (mode, 0);
  stored = cw_wallet_store_enqueue_transaction (w->store, second, &error);
  g_assert_null (stored);
  g_assert_error (error, CW_WALLET_STORE_ERROR, CW_WALLET_STORE_ERROR_FAILED);
  g_test_message ("%s", error->message);
  if (mode == FAULT_VFS_DISK_FULL)
    g_assert_nonnull (strstr (error->message, "disk is full"));
  g_assert_cmpuint (fault_vfs_get_n_failures (), >, 0);
  g_clear_error (&error);

  /* Nothing changed, and reading still works while the disk is bad. */
  g_assert_cmpuint (n_transactions (w), ==, 1);
  g_assert_true (cw_wallet_store_get_chain_head (w->store, &seq_after, &head_after, &error));
  g_assert_cmpuint (seq_after, ==, seq_before);
  g_assert_cmpstr (head_after, ==, head_before);

  /* Space returns: the same signed transaction goes in. */
  fault_vfs_set_mode (FAULT_VFS_NONE, 0);
  stored = cw_wallet_store_enqueue_transaction (w->store, second, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (stored->seq, ==, seq_before + 1);
  g_clear_pointer (&stored, cw_store_tx_free);

  /* Durable and intact after a reopen. */
  g_clear_object (&w->store);
  assert_intact (w->path);
  w->store = cw_wallet_store_new (w->path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (n_transactions (w), ==, 2);
}

/* A disk that fills up part-way through a transaction: every budget from
 * nothing to enough must leave either the old or the new state. */
static void
test_wallet_full_midway (Wallet        *w,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gboolean done = FALSE;

  for (gint64 budget = 0; !done; budget += 1024)
    {
      g_autofree char *envelope = next_envelope (w);
      g_autoptr(CwStoreTx) stored = NULL;
      guint before = n_transactions (w);

      g_assert_cmpint (budget, <, 4 * 1024 * 1024);
      fault_vfs_set_mode (FAULT_VFS_DISK_FULL, budget);
      stored = cw_wallet_store_enqueue_transaction (w->store, envelope, &error);
      done = stored != NULL;
      fault_vfs_set_mode (FAULT_VFS_NONE, 0);

      if (done)
        g_assert_no_error (error);
      else
        g_assert_error (error, CW_WALLET_STORE_ERROR, CW_WALLET_STORE_ERROR_FAILED);
      g_clear_error (&error);
      g_assert_cmpuint (n_transactions (w), ==, before + (done ? 1 : 0));
    }

  g_clear_object (&w->store);
  assert_intact (w->path);
}

/* The node ---------------------------------------------------------------- */

typedef struct {
  char *dir;
  char *path;
  CwNodeStore *store;
  CwSigningKey *log_key;
  CwSigningKey *patient;
  CwNodeSequencer *sequencer;
} Node;

static void
node_set_up (Node          *n,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CwSigningKey) provider_key = NULL;
  g_autoptr(CwNodeProvider) provider = NULL;
  g_autoptr(GBytes) public_key = NULL;
  guint8 empty_root[32];
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  fault_vfs_set_mode (FAULT_VFS_NONE, 0);
  g_atomic_int_set (&n_node_warnings, 0);
  n->dir = g_dir_make_tmp ("cw-fault-node-XXXXXX", &error);
  g_assert_no_error (error);
  n->path = g_build_filename (n->dir, "node.db", NULL);
  n->store = cw_node_store_sqlite_new (n->path, TRUE, &error);
  g_assert_no_error (error);
  cw_sha256 (NULL, 0, empty_root);
  g_assert_true (cw_node_store_initialize (n->store, ORIGIN, empty_root, &error));
  g_assert_no_error (error);

  provider_key = cw_signing_key_generate ("provider", CW_KEY_TYPE_ED25519, &error);
  g_assert_no_error (error);
  public_key = g_bytes_new (cw_signing_key_get_public_key (provider_key), CW_PUBLIC_KEY_SIZE);
  provider = cw_node_provider_new (PROVIDER, "Fault Clinic", "Fault Health",
                                   CW_NODE_PROVIDER_KIND_PRACTICE, public_key, now, &error);
  g_assert_no_error (error);
  g_assert_true (cw_node_store_add_provider (n->store, provider, &error));
  g_assert_no_error (error);

  n->log_key = cw_signing_key_generate (ORIGIN, CW_KEY_TYPE_ED25519, &error);
  g_assert_no_error (error);
  n->patient = cw_signing_key_generate ("patient", CW_KEY_TYPE_ED25519, &error);
  g_assert_no_error (error);
  n->sequencer = cw_node_sequencer_new (n->store, ORIGIN, n->log_key, 1, 8, &error);
  g_assert_no_error (error);
  cw_node_sequencer_start (n->sequencer);
}

static void
node_tear_down (Node          *n,
                gconstpointer  data)
{
  fault_vfs_set_mode (FAULT_VFS_NONE, 0);
  if (n->sequencer != NULL)
    cw_node_sequencer_stop (n->sequencer);
  g_clear_object (&n->sequencer);
  g_clear_object (&n->store);
  g_clear_pointer (&n->log_key, cw_signing_key_unref);
  g_clear_pointer (&n->patient, cw_signing_key_unref);
  remove_tree (n->dir);
  g_free (n->dir);
  g_free (n->path);
}

static GBytes *
enroll_envelope (Node *n)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *code = NULL;
  g_autoptr(CwTx) tx = NULL;
  g_autoptr(GBytes) payload = NULL;
  g_autoptr(CwDsseEnvelope) envelope = NULL;
  guint8 recovery[CW_PUBLIC_KEY_SIZE];
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  CwTxCommon common = { cw_signing_key_get_public_key (n->patient), 0, NULL, NULL, NULL };
  gsize len = 0;
  char *json;

  code = cw_node_invite_create (n->store, PROVIDER, now, now + 3600, &error);
  g_assert_no_error (error);
  randombytes_buf (recovery, sizeof recovery);
  tx = cw_tx_new_enroll (&common, recovery, code, PROVIDER, &error);
  g_assert_no_error (error);
  payload = cw_tx_to_payload (tx);
  envelope = cw_dsse_envelope_sign (payload, n->patient, &error);
  g_assert_no_error (error);
  json = cw_dsse_envelope_to_json (envelope, &len);

  return g_bytes_new_take (json, len);
}

static void
submitted_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  CwNodeSubmission **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = cw_node_sequencer_submit_finish (CW_NODE_SEQUENCER (source), result, &error);
  g_assert_no_error (error);
}

static CwNodeSubmission *
submit (Node   *n,
        GBytes *envelope)
{
  CwNodeSubmission *submission = NULL;

  cw_node_sequencer_submit_async (n->sequencer, envelope, NULL, submitted_cb, &submission);
  while (submission == NULL)
    g_main_context_iteration (NULL, TRUE);

  return submission;
}

static guint64
tree_size (Node *n)
{
  g_autoptr(GError) error = NULL;
  guint8 root[32];
  guint64 size = G_MAXUINT64;

  g_assert_true (cw_node_store_get_tree_head (n->store, &size, root, &error));
  g_assert_no_error (error);
  return size;
}

static void
test_node_fault (Node          *n,
                 gconstpointer  data)
{
  FaultVfsMode mode = GPOINTER_TO_INT (data);
  g_autoptr(GBytes) envelope = enroll_envelope (n);
  g_autoptr(CwNodeSubmission) refused = NULL;
  g_autoptr(CwNodeSubmission) accepted = NULL;
  g_autofree char *checkpoint = NULL;
  guint64 published = G_MAXUINT64;

  g_assert_cmpuint (tree_size (n), ==, 0);

  /* The disk fails while the batch is committed: the submitter is told to
   * try again, the operator gets a warning, and nothing is logged. */
  fault_vfs_set_mode (mode, 0);
  refused = submit (n, envelope);
  g_assert_error (refused->error, CW_NODE_SEQUENCER_ERROR, CW_NODE_SEQUENCER_ERROR_UNAVAILABLE);
  g_assert_null (refused->proof);
  g_assert_cmpuint (fault_vfs_get_n_failures (), >, 0);
  g_assert_cmpint (g_atomic_int_get (&n_node_warnings), >=, 1);
  fault_vfs_set_mode (FAULT_VFS_NONE, 0);
  g_assert_cmpuint (tree_size (n), ==, 0);
  checkpoint = cw_node_sequencer_dup_checkpoint (n->sequencer, &published);
  g_assert_cmpuint (published, ==, 0);

  /* The disk works again: the same envelope is logged, once. */
  accepted = submit (n, envelope);
  g_assert_no_error (accepted->error);
  g_assert_false (accepted->duplicate);
  g_assert_cmpuint (accepted->index, ==, 0);
  g_assert_nonnull (accepted->proof);
  g_assert_cmpuint (tree_size (n), ==, 1);
  g_clear_pointer (&checkpoint, g_free);
  checkpoint = cw_node_sequencer_dup_checkpoint (n->sequencer, &published);
  g_assert_cmpuint (published, ==, 1);

  cw_node_sequencer_stop (n->sequencer);
  g_clear_object (&n->sequencer);
  g_clear_object (&n->store);

  /* Reopened by the store, whose SQL functions the schema's indexes use. */
  n->store = cw_node_store_sqlite_new (n->path, FALSE, NULL);
  g_assert_nonnull (n->store);
  g_assert_cmpuint (tree_size (n), ==, 1);
  assert_db_intact (cw_node_store_sqlite_get_db (CW_NODE_STORE_SQLITE (n->store)));
}

/* The disk fills up at every point of a batch in turn (storing the
 * entries, signing the checkpoint, storing it): each time the submitter is
 * told to try again, and it does, until the transaction is logged once,
 * with a receipt under a published checkpoint. */
static void
test_node_full_midway (Node          *n,
                       gconstpointer  data)
{
  g_autoptr(GBytes) envelope = enroll_envelope (n);
  g_autoptr(CwNodeSubmission) accepted = NULL;
  g_autofree char *checkpoint = NULL;
  guint64 published = G_MAXUINT64;
  guint attempts = 0;

  for (gint64 budget = 0; accepted == NULL; budget += 512)
    {
      g_autoptr(CwNodeSubmission) submission = NULL;

      g_assert_cmpint (budget, <, 4 * 1024 * 1024);
      fault_vfs_set_mode (FAULT_VFS_DISK_FULL, budget);
      submission = submit (n, envelope);
      fault_vfs_set_mode (FAULT_VFS_NONE, 0);
      attempts++;

      if (submission->error == NULL)
        accepted = g_steal_pointer (&submission);
      else
        g_assert_error (submission->error, CW_NODE_SEQUENCER_ERROR,
                        CW_NODE_SEQUENCER_ERROR_UNAVAILABLE);
      g_assert_cmpuint (tree_size (n), <=, 1);
    }

  g_test_message ("logged after %u attempts", attempts);
  g_assert_cmpuint (attempts, >, 1);
  g_assert_cmpuint (accepted->index, ==, 0);
  g_assert_nonnull (accepted->proof);
  g_assert_cmpuint (tree_size (n), ==, 1);
  checkpoint = cw_node_sequencer_dup_checkpoint (n->sequencer, &published);
  g_assert_cmpuint (published, ==, 1);

  cw_node_sequencer_stop (n->sequencer);
  g_clear_object (&n->sequencer);
  g_clear_object (&n->store);
  n->store = cw_node_store_sqlite_new (n->path, FALSE, NULL);
  g_assert_nonnull (n->store);
  assert_db_intact (cw_node_store_sqlite_get_db (CW_NODE_STORE_SQLITE (n->store)));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_log_set_writer_func (log_writer_cb, NULL, NULL);
  g_assert_cmpint (sodium_init (), >=, 0);
  fault_vfs_install ();

  g_test_add ("/fault/wallet-store/disk-full", Wallet, GINT_TO_POINTER (FAULT_VFS_DISK_FULL),
              wallet_set_up, test_wallet_fault, wallet_tear_down);
  g_test_add ("/fault/wallet-store/io-error", Wallet, GINT_TO_POINTER (FAULT_VFS_IO_ERROR),
              wallet_set_up, test_wallet_fault, wallet_tear_down);
  g_test_add ("/fault/wallet-store/full-midway", Wallet, NULL,
              wallet_set_up, test_wallet_full_midway, wallet_tear_down);
  g_test_add ("/fault/node-store/disk-full", Node, GINT_TO_POINTER (FAULT_VFS_DISK_FULL),
              node_set_up, test_node_fault, node_tear_down);
  g_test_add ("/fault/node-store/io-error", Node, GINT_TO_POINTER (FAULT_VFS_IO_ERROR),
              node_set_up, test_node_fault, node_tear_down);
  g_test_add ("/fault/node-store/full-midway", Node, NULL,
              node_set_up, test_node_full_midway, node_tear_down);

  return g_test_run ();
}

/* test-node-threads.c: a node with several serving threads ([node]
 * serving-threads) under concurrent clients: submissions, signed reads and
 * tile reads at once, every receipt verified, the log holding exactly the
 * submitted IDs once each, a signature replayed over connections that land
 * on different threads accepted once, and SIGTERM under load ending the
 * node cleanly without losing an acknowledged transaction. Loopback only;
 * no timing assertions. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cw-encoding.h"
#include "cw-log-tree.h"
#include "cw-merkle.h"
#include "cw-tiles.h"
#include "node-test-tx.h"

#define SERVING_THREADS "4"
#define N_CLIENTS 4
#define N_PATIENTS 3        /* per client */
#define N_ROUNDS 3          /* grant + access pairs per patient, after enrolling */
#define N_REPLAYERS 8
#define N_LOADERS 4
#define MIN_ACKED_BEFORE_TERM 40

#define SCOPES (CW_SCOPE_SUMMARY | CW_SCOPE_ALLERGIES)

typedef struct
{
  CwTx *tx;
  JsonObject *receipt;
} Submitted;

static void
submitted_free (Submitted *submitted)
{
  g_clear_pointer (&submitted->tx, cw_tx_unref);
  g_clear_pointer (&submitted->receipt, json_object_unref);
  g_free (submitted);
}

typedef struct
{
  TxNode *node;
  gint clients_left;
  guint checks;            /* tile reads that rebuilt a checkpoint's root */
} TileReader;

typedef struct
{
  TxNode *node;
  TileReader *reader;      /* told when this client is done */
  TxPatient *patients[N_PATIENTS];
  char *invites[N_PATIENTS];
  GPtrArray *submitted;    /* Submitted; only this client's thread adds */
} Client;

static void
set_serving_threads (TxNode *node)
{
  tx_node_set_config (node, "node", "serving-threads", SERVING_THREADS);
}

/* The node's threads named "cw-serve": one per serving thread beyond the
 * main one, so the setting really took effect. */
static guint
count_serving_threads (TxNode *node)
{
  const char *pid = g_subprocess_get_identifier (node->server->process);
  g_autofree char *task_dir = g_strdup_printf ("/proc/%s/task", pid);
  g_autoptr(GDir) dir = g_dir_open (task_dir, 0, NULL);
  const char *task;
  guint n = 0;

  g_assert_nonnull (dir);
  while ((task = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *comm_path = g_build_filename (task_dir, task, "comm", NULL);
      g_autofree char *comm = NULL;

      if (g_file_get_contents (comm_path, &comm, NULL, NULL) &&
          g_str_equal (g_strstrip (comm), "cw-serve"))
        n++;
    }

  return n;
}

static char *
chain_path (TxPatient *patient)
{
  g_autofree char *pid = cw_base64url_encode (patient->id, CW_PUBLIC_KEY_SIZE);

  return g_strdup_printf ("/v1/patients/%s/chain", pid);
}

/* Posts @tx signed by @key over the client's own connection; keeps the
 * receipt for the checks after the join. */
static JsonObject *
submit (Client       *client,
        TxNode       *view,
        CwTx         *tx,
        CwSigningKey *key)
{
  g_autoptr(GBytes) envelope = tx_sign (tx, key);
  JsonObject *receipt = NULL;
  Submitted *submitted;

  g_assert_cmpuint (tx_post (view, envelope, &receipt), ==, 200);
  submitted = g_new0 (Submitted, 1);
  submitted->tx = cw_tx_ref (tx);
  submitted->receipt = json_object_ref (receipt);
  g_ptr_array_add (client->submitted, submitted);

  return receipt;
}

/* The patient's own signed read of its chain: every transaction so far,
 * in order, with the head the client believes in. */
static void
check_chain (TxNode    *view,
             TxPatient *patient)
{
  g_autofree char *path = chain_path (patient);
  g_autofree char *head = cw_base64_encode (patient->head, CW_TX_ID_SIZE);
  g_autoptr(JsonObject) answer = NULL;
  JsonObject *head_object;

  g_assert_cmpuint (tx_get_signed (view, path, patient->key, &answer), ==, 200);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (answer, "transactions")),
                    ==, patient->seq + 1);
  head_object = json_object_get_object_member (answer, "head");
  g_assert_cmpint (json_object_get_int_member (head_object, "seq"), ==, patient->seq);
  g_assert_cmpstr (json_object_get_string_member (head_object, "id"), ==, head);
}

static gpointer
client_thread (gpointer data)
{
  Client *client = data;
  TxNode view = *client->node;

  view.session = node_test_session_new (client->node->cert_path);

  /* Patients interleaved, so that each connection has several chains. */
  for (guint i = 0; i < N_PATIENTS; i++)
    {
      TxPatient *patient = client->patients[i];
      g_autoptr(CwTx) enroll = tx_make_enroll (patient, client->invites[i], "gp-one");
      g_autoptr(JsonObject) receipt = submit (client, &view, enroll, patient->key);

      tx_patient_advance (patient, enroll);
    }

  for (guint round = 0; round < N_ROUNDS; round++)
    {
      for (guint i = 0; i < N_PATIENTS; i++)
        {
          TxPatient *patient = client->patients[i];
          g_autoptr(CwTx) grant = tx_make_grant (patient, "gp-one", SCOPES, CW_PURPOSE_TREAT);
          g_autoptr(JsonObject) grant_receipt = submit (client, &view, grant, patient->key);
          g_autoptr(CwTx) access = NULL;
          g_autoptr(JsonObject) access_receipt = NULL;
          guint8 grant_id[CW_TX_ID_SIZE];

          tx_patient_advance (patient, grant);
          cw_tx_compute_id (grant, grant_id);

          /* The provider uses the grant at once: the rules must see the
           * grant committed, whichever thread served either request. */
          access = tx_make_access (patient, "gp-one", grant_id, CW_SCOPE_SUMMARY,
                                   CW_PURPOSE_TREAT);
          access_receipt = submit (client, &view, access, client->node->gp_key);
          g_assert_cmpstr (json_object_get_string_member (access_receipt, "outcome"), ==,
                           "allowed");

          check_chain (&view, patient);
        }
    }

  g_clear_object (&view.session);
  g_atomic_int_add (&client->reader->clients_left, -1);

  return NULL;
}

static void
get_checkpoint (TxNode  *view,
                guint64 *out_size,
                guint8  *out_root)
{
  g_autoptr(GBytes) body = tx_get_ok (view, "/log/checkpoint");
  g_autofree char *note = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));

  tx_open_checkpoint (view, note, out_size, out_root);
}

/* Reads the growing log while the clients submit: every checkpoint served
 * is rebuilt from the tiles, and is consistent with the one before. */
static gpointer
tile_reader_thread (gpointer data)
{
  TileReader *reader = data;
  TxNode view = *reader->node;
  guint64 last_size = 0;
  guint8 last_root[CW_MERKLE_HASH_SIZE] = { 0 };

  view.session = node_test_session_new (reader->node->cert_path);
  while (g_atomic_int_get (&reader->clients_left) > 0)
    {
      g_autoptr(CwLogTree) tree = NULL;
      guint8 root[CW_MERKLE_HASH_SIZE];
      guint64 size;

      get_checkpoint (&view, &size, root);
      g_assert_cmpuint (size, >=, last_size);
      if (size == last_size)
        {
          /* Nothing new: leave the cores to the clients for a moment. */
          g_usleep (5 * G_TIME_SPAN_MILLISECOND);
          continue;
        }

      tree = tx_rebuild_tree (&view, size, root);
      tx_check_consistency (&view, last_size, last_root, size, root);
      last_size = size;
      memcpy (last_root, root, sizeof root);
      reader->checks++;
    }
  g_clear_object (&view.session);

  return NULL;
}

static void
test_concurrent_clients (void)
{
  TxNode node = { 0 };
  TileReader reader = { &node, N_CLIENTS, 0 };
  Client clients[N_CLIENTS];
  GThread *threads[N_CLIENTS];
  GThread *tile_thread;
  g_autoptr(GHashTable) in_log = g_hash_table_new_full (g_bytes_hash, g_bytes_equal,
                                                        (GDestroyNotify) g_bytes_unref, NULL);
  g_autoptr(CwLogTree) tree = NULL;
  guint8 root[CW_MERKLE_HASH_SIZE];
  guint64 size;
  guint total = 0;

  tx_node_setup (&node);
  set_serving_threads (&node);
  tx_node_start (&node);
  g_assert_cmpuint (count_serving_threads (&node), ==, atoi (SERVING_THREADS) - 1);

  for (guint c = 0; c < N_CLIENTS; c++)
    {
      clients[c].node = &node;
      clients[c].reader = &reader;
      clients[c].submitted = g_ptr_array_new_with_free_func ((GDestroyNotify) submitted_free);
      for (guint i = 0; i < N_PATIENTS; i++)
        {
          clients[c].patients[i] = tx_patient_new ();
          clients[c].invites[i] = tx_node_invite (&node, "gp-one");
        }
    }

  tile_thread = g_thread_new ("tile-reader", tile_reader_thread, &reader);
  for (guint c = 0; c < N_CLIENTS; c++)
    threads[c] = g_thread_new ("client", client_thread, &clients[c]);
  for (guint c = 0; c < N_CLIENTS; c++)
    g_thread_join (threads[c]);
  g_thread_join (tile_thread);
  g_test_message ("the tile reader rebuilt %u checkpoints during the load", reader.checks);

  /* Every receipt: the transaction's ID, in a checkpoint signed by the
   * log key, included at its index. */
  for (guint c = 0; c < N_CLIENTS; c++)
    {
      for (guint i = 0; i < clients[c].submitted->len; i++)
        {
          Submitted *submitted = g_ptr_array_index (clients[c].submitted, i);

          tx_check_receipt (&node, submitted->receipt, submitted->tx);
          total++;
        }
    }
  g_assert_cmpuint (total, ==, N_CLIENTS * N_PATIENTS * (1 + 2 * N_ROUNDS));

  /* The log holds exactly the submitted IDs, each once. */
  get_checkpoint (&node, &size, root);
  g_assert_cmpuint (size, ==, total);
  tree = tx_rebuild_tree (&node, size, root);
  {
    CwTile entries_tile = { CW_TILE_LEVEL_ENTRIES, 0, (guint) size };
    g_autofree char *path = cw_tile_path (&entries_tile);
    g_autofree char *url = g_strconcat ("/log/", path, NULL);
    g_autoptr(GBytes) bundle = tx_get_ok (&node, url);
    g_autoptr(GPtrArray) entries = NULL;
    g_autoptr(GError) error = NULL;

    g_assert_cmpuint (size, <=, CW_TILE_WIDTH);
    entries = cw_entry_bundle_parse (bundle, (guint) size, CW_TX_ID_SIZE, &error);
    g_assert_no_error (error);
    for (guint i = 0; i < entries->len; i++)
      g_assert_true (g_hash_table_add (in_log, g_bytes_ref (g_ptr_array_index (entries, i))));
  }
  for (guint c = 0; c < N_CLIENTS; c++)
    {
      for (guint i = 0; i < clients[c].submitted->len; i++)
        {
          Submitted *submitted = g_ptr_array_index (clients[c].submitted, i);
          guint8 id[CW_TX_ID_SIZE];
          g_autoptr(GBytes) key = NULL;

          cw_tx_compute_id (submitted->tx, id);
          key = g_bytes_new (id, sizeof id);
          g_assert_true (g_hash_table_remove (in_log, key));
        }
    }
  g_assert_cmpuint (g_hash_table_size (in_log), ==, 0);

  tx_node_stop (&node);

  for (guint c = 0; c < N_CLIENTS; c++)
    {
      for (guint i = 0; i < N_PATIENTS; i++)
        {
          tx_patient_free (clients[c].patients[i]);
          g_free (clients[c].invites[i]);
        }
      g_ptr_array_unref (clients[c].submitted);
    }
  tx_node_teardown (&node);
}

typedef struct
{
  TxNode *node;
  char *path;
  char *input;
  char *signature;
  GMutex lock;
  GCond cond;
  guint warm;              /* replayers connected and waiting */
  gboolean go;
  guint accepted;
  guint replayed;
} Replay;

static gpointer
replayer_thread (gpointer data)
{
  Replay *replay = data;
  TxNode view = *replay->node;
  g_autoptr(JsonObject) answer = NULL;
  guint status;

  /* A connection of its own, open before the race starts. */
  view.session = node_test_session_new (replay->node->cert_path);
  g_assert_cmpuint (tx_get (&view, "/log/checkpoint", NULL), ==, 200);

  g_mutex_lock (&replay->lock);
  replay->warm++;
  g_cond_broadcast (&replay->cond);
  while (!replay->go)
    g_cond_wait (&replay->cond, &replay->lock);
  g_mutex_unlock (&replay->lock);

  status = tx_get_with_signature (&view, replay->path, replay->input, replay->signature,
                                  &answer);

  g_mutex_lock (&replay->lock);
  if (status == 200)
    {
      replay->accepted++;
    }
  else
    {
      g_assert_cmpuint (status, ==, 401);
      tx_expect_error (answer, "replayed_signature");
      replay->replayed++;
    }
  g_mutex_unlock (&replay->lock);

  g_clear_object (&view.session);
  return NULL;
}

static void
test_replay_across_threads (void)
{
  TxNode node = { 0 };
  g_autoptr(TxPatient) patient = tx_patient_new ();
  g_autofree char *code = NULL;
  g_autoptr(CwTx) enroll = NULL;
  g_autoptr(JsonObject) receipt = NULL;
  Replay replay = { 0 };
  GThread *threads[N_REPLAYERS];

  tx_node_setup (&node);
  set_serving_threads (&node);
  tx_node_start (&node);

  code = tx_node_invite (&node, "gp-one");
  enroll = tx_make_enroll (patient, code, "gp-one");
  receipt = tx_submit_ok (&node, enroll, patient->key);
  tx_patient_advance (patient, enroll);

  replay.node = &node;
  replay.path = chain_path (patient);
  tx_sign_read (&node, replay.path, patient->key, 0, &replay.input, &replay.signature);
  g_mutex_init (&replay.lock);
  g_cond_init (&replay.cond);

  /* Eight connections spread over four SO_REUSEPORT sockets by the
   * kernel's hash: the same signature reaches several threads at once. */
  for (guint i = 0; i < N_REPLAYERS; i++)
    threads[i] = g_thread_new ("replayer", replayer_thread, &replay);
  g_mutex_lock (&replay.lock);
  while (replay.warm < N_REPLAYERS)
    g_cond_wait (&replay.cond, &replay.lock);
  replay.go = TRUE;
  g_cond_broadcast (&replay.cond);
  g_mutex_unlock (&replay.lock);
  for (guint i = 0; i < N_REPLAYERS; i++)
    g_thread_join (threads[i]);

  g_assert_cmpuint (replay.accepted, ==, 1);
  g_assert_cmpuint (replay.replayed, ==, N_REPLAYERS - 1);

  /* And still refused after a restart. */
  tx_node_stop (&node);
  tx_node_start (&node);
  g_assert_cmpuint (tx_get_with_signature (&node, replay.path, replay.input, replay.signature,
                                           NULL), ==, 401);

  tx_node_stop (&node);
  g_mutex_clear (&replay.lock);
  g_cond_clear (&replay.cond);
  g_free (replay.path);
  g_free (replay.input);
  g_free (replay.signature);
  tx_node_teardown (&node);
}

static void
test_sigterm_under_load (void)
{
  TxNode node = { 0 };
  g_autoptr(TxPatient) patient = tx_patient_new ();
  g_autofree char *code = NULL;
  g_autoptr(CwTx) enroll = NULL;
  g_autoptr(JsonObject) receipt = NULL;
  g_autoptr(CwLogTree) tree = NULL;
  g_autoptr(GArray) acked = g_array_new (FALSE, FALSE, sizeof (TxAcked));
  TxLoad *load;
  guint8 root[CW_MERKLE_HASH_SIZE];
  guint64 size;

  tx_node_setup (&node);
  set_serving_threads (&node);
  tx_node_start (&node);

  code = tx_node_invite (&node, "gp-one");
  enroll = tx_make_enroll (patient, code, "gp-one");
  receipt = tx_submit_ok (&node, enroll, patient->key);
  tx_patient_advance (patient, enroll);

  load = tx_load_start (&node, patient, N_LOADERS, acked);

  /* SIGTERM once the load is flowing on every connection; the exit status
   * must be 0 while requests are in flight on every serving thread. */
  while (tx_load_count_acked (load) < MIN_ACKED_BEFORE_TERM)
    g_usleep (10 * G_TIME_SPAN_MILLISECOND);
  tx_node_stop (&node);
  tx_load_finish (load);

  /* Every acknowledged transaction is in the log, at its index. */
  tx_node_start (&node);
  get_checkpoint (&node, &size, root);
  tree = tx_rebuild_tree (&node, size, root);
  tx_assert_acked_logged (tree, size, acked);
  g_test_message ("%u acknowledged before and during SIGTERM, log size %" G_GUINT64_FORMAT,
                  acked->len, size);

  tx_node_stop (&node);
  tx_node_teardown (&node);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/node/threads/concurrent-clients", test_concurrent_clients);
  g_test_add_func ("/node/threads/replay", test_replay_across_threads);
  g_test_add_func ("/node/threads/sigterm-under-load", test_sigterm_under_load);

  return g_test_run ();
}

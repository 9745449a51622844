/* test-node-crash.c: kill -9 the node under load at 20 random moments;
 * after every restart each acknowledged transaction is in the log and
 * every checkpoint ever served is consistent with the latest. Loopback
 * only; no timing assertions (the random delays only pick the moments). */
#include "config.h"

#include <string.h>

#include "cw-log-tree.h"
#include "cw-merkle.h"
#include "cw-tiles.h"
#include "node-test-tx.h"

#define N_ROUNDS 20
#define N_LOADERS 4

typedef struct
{
  guint64 index;
  guint8 id[CW_TX_ID_SIZE];
} Acked;

typedef struct
{
  guint64 size;
  guint8 root[CW_MERKLE_HASH_SIZE];
} Seen;

typedef struct
{
  TxNode *node;
  TxPatient *patient;
  GMutex lock;
  GArray *acked;     /* Acked */
  gboolean stop;
} Load;

static gpointer
loader_thread (gpointer data)
{
  Load *load = data;
  TxNode view = *load->node;
  guint8 grant_id[CW_TX_ID_SIZE] = { 9 };

  view.session = node_test_session_new (load->node->cert_path);
  while (!g_atomic_int_get (&load->stop))
    {
      g_autoptr(CwTx) tx = tx_make_access (load->patient, "gp-one", grant_id, CW_SCOPE_SUMMARY,
                                           CW_PURPOSE_TREAT);
      g_autoptr(GBytes) env = tx_sign (tx, load->node->gp_key);
      g_autoptr(JsonObject) answer = NULL;
      guint status = tx_post (&view, env, &answer);
      Acked acked;

      /* The node went away: that is the point of this test. */
      if (status == 0)
        break;
      g_assert_cmpuint (status, ==, 200);

      acked.index = json_object_get_int_member (answer, "index");
      cw_tx_compute_id (tx, acked.id);
      g_mutex_lock (&load->lock);
      g_array_append_val (load->acked, acked);
      g_mutex_unlock (&load->lock);
    }
  g_clear_object (&view.session);

  return NULL;
}

static void
remember_checkpoint (TxNode *node,
                     GArray *seen)
{
  g_autoptr(GBytes) body = NULL;
  g_autofree char *note = NULL;
  Seen item;

  if (tx_get (node, "/log/checkpoint", &body) != 200)
    return;

  note = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
  tx_open_checkpoint (node, note, &item.size, item.root);
  g_array_append_val (seen, item);
}

/* Rebuilds the tree from the node's entry bundles up to its checkpoint. */
static CwLogTree *
fetch_tree (TxNode *node,
            Seen   *latest)
{
  CwLogTree *tree = cw_log_tree_new ();
  guint8 root[CW_MERKLE_HASH_SIZE];

  for (guint64 n = 0; n * CW_TILE_WIDTH < latest->size; n++)
    {
      CwTile tile = { CW_TILE_LEVEL_ENTRIES, n,
                      (guint) MIN ((guint64) CW_TILE_WIDTH, latest->size - n * CW_TILE_WIDTH) };
      g_autofree char *path = cw_tile_path (&tile);
      g_autofree char *url_path = g_strconcat ("/log/", path, NULL);
      g_autoptr(GBytes) bundle = NULL;
      g_autoptr(GPtrArray) entries = NULL;
      g_autoptr(GError) error = NULL;

      g_assert_cmpuint (tx_get (node, url_path, &bundle), ==, 200);
      entries = cw_entry_bundle_parse (bundle, tile.width, CW_TX_ID_SIZE, &error);
      g_assert_no_error (error);
      for (guint i = 0; i < entries->len; i++)
        cw_log_tree_append (tree, g_bytes_get_data (g_ptr_array_index (entries, i), NULL),
                            CW_TX_ID_SIZE);
    }

  cw_log_tree_get_root (tree, latest->size, root, NULL);
  g_assert_cmpmem (root, sizeof root, latest->root, sizeof root);

  return tree;
}

static void
check_after_restart (TxNode *node,
                     GArray *acked,
                     GArray *seen)
{
  g_autoptr(CwLogTree) tree = NULL;
  Seen latest;

  remember_checkpoint (node, seen);
  latest = g_array_index (seen, Seen, seen->len - 1);
  tree = fetch_tree (node, &latest);

  for (guint i = 0; i < acked->len; i++)
    {
      Acked *item = &g_array_index (acked, Acked, i);
      guint8 leaf[CW_MERKLE_HASH_SIZE];
      guint8 stored[CW_MERKLE_HASH_SIZE];

      g_assert_cmpuint (item->index, <, latest.size);
      cw_merkle_hash_leaf (item->id, sizeof item->id, leaf);
      cw_log_tree_get_node_hash (tree, 0, item->index, stored, NULL);
      g_assert_cmpmem (leaf, sizeof leaf, stored, sizeof stored);
    }

  /* Every checkpoint ever served: a prefix of the latest, by the node's
   * own consistency proof and by the entries. */
  for (guint i = 0; i < seen->len; i++)
    {
      Seen *item = &g_array_index (seen, Seen, i);
      guint8 root[CW_MERKLE_HASH_SIZE];

      g_assert_cmpuint (item->size, <=, latest.size);
      cw_log_tree_get_root (tree, item->size, root, NULL);
      g_assert_cmpmem (root, sizeof root, item->root, sizeof root);
      tx_check_consistency (node, item->size, item->root, latest.size, latest.root);
    }
}

static guint
acked_count (Load *load)
{
  guint count;

  g_mutex_lock (&load->lock);
  count = load->acked->len;
  g_mutex_unlock (&load->lock);

  return count;
}

static void
test_kill_under_load (void)
{
  TxNode node;
  g_autoptr(TxPatient) patient = tx_patient_new ();
  g_autoptr(GArray) seen = g_array_new (FALSE, FALSE, sizeof (Seen));
  Load load = { 0 };

  tx_node_setup (&node);
  tx_node_configure (&node, 2, 64);
  tx_node_start (&node);
  {
    g_autofree char *code = tx_node_invite (&node, "gp-one");
    g_autoptr(CwTx) enroll = tx_make_enroll (patient, code, "gp-one");
    g_autoptr(JsonObject) receipt = tx_submit_ok (&node, enroll, patient->key);
  }

  load.node = &node;
  load.patient = patient;
  load.acked = g_array_new (FALSE, FALSE, sizeof (Acked));
  g_mutex_init (&load.lock);

  for (guint round = 0; round < N_ROUNDS; round++)
    {
      GThread *threads[N_LOADERS];
      guint delay_ms = g_test_rand_int_range (20, 400);

      g_test_message ("round %u: kill -9 after %u ms", round, delay_ms);
      g_atomic_int_set (&load.stop, FALSE);
      for (guint i = 0; i < N_LOADERS; i++)
        threads[i] = g_thread_new ("loader", loader_thread, &load);

      /* The last round also waits for a first acknowledgement, however
       * slow the node (a sanitizer build may take longer than every
       * delay), so that the checks below always have one to look for. */
      for (guint waited = 0;
           waited < delay_ms || (round == N_ROUNDS - 1 && acked_count (&load) == 0);
           waited += 10)
        {
          if (waited % 50 == 0)
            remember_checkpoint (&node, seen);
          g_usleep (10 * G_TIME_SPAN_MILLISECOND);
        }

      g_subprocess_force_exit (node.server->process);
      g_subprocess_wait (node.server->process, NULL, NULL);
      g_atomic_int_set (&load.stop, TRUE);
      for (guint i = 0; i < N_LOADERS; i++)
        g_thread_join (threads[i]);
      /* Only now: a loader between two posts still reads its URL. */
      g_clear_pointer (&node.server, node_test_server_free);

      tx_node_start (&node);
      check_after_restart (&node, load.acked, seen);
    }

  g_test_message ("%u acknowledged, %u checkpoints seen", load.acked->len, seen->len);
  g_assert_cmpuint (load.acked->len, >, 0);

  g_array_unref (load.acked);
  g_mutex_clear (&load.lock);
  tx_node_teardown (&node);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/node/crash/kill-under-load", test_kill_under_load);

  return g_test_run ();
}

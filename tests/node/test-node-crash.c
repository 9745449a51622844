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
  guint64 size;
  guint8 root[CW_MERKLE_HASH_SIZE];
} Seen;

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

static void
check_after_restart (TxNode *node,
                     GArray *acked,
                     GArray *seen)
{
  g_autoptr(CwLogTree) tree = NULL;
  Seen latest;

  remember_checkpoint (node, seen);
  latest = g_array_index (seen, Seen, seen->len - 1);
  tree = tx_rebuild_tree (node, latest.size, latest.root);
  tx_assert_acked_logged (tree, latest.size, acked);

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

static void
test_kill_under_load (void)
{
  TxNode node;
  g_autoptr(TxPatient) patient = tx_patient_new ();
  g_autoptr(GArray) seen = g_array_new (FALSE, FALSE, sizeof (Seen));
  g_autoptr(GArray) acked = g_array_new (FALSE, FALSE, sizeof (TxAcked));

  tx_node_setup (&node);
  tx_node_configure (&node, 2, 64);
  tx_node_start (&node);
  {
    g_autofree char *code = tx_node_invite (&node, "gp-one");
    g_autoptr(CwTx) enroll = tx_make_enroll (patient, code, "gp-one");
    g_autoptr(JsonObject) receipt = tx_submit_ok (&node, enroll, patient->key);
  }

  for (guint round = 0; round < N_ROUNDS; round++)
    {
      TxLoad *load;
      guint delay_ms = g_test_rand_int_range (20, 400);

      g_test_message ("round %u: kill -9 after %u ms", round, delay_ms);
      load = tx_load_start (&node, patient, N_LOADERS, acked);

      /* The last round also waits for a first acknowledgement, however
       * slow the node (a sanitizer build may take longer than every
       * delay), so that the checks below always have one to look for. */
      for (guint waited = 0;
           waited < delay_ms || (round == N_ROUNDS - 1 && tx_load_count_acked (load) == 0);
           waited += 10)
        {
          if (waited % 50 == 0)
            remember_checkpoint (&node, seen);
          g_usleep (10 * G_TIME_SPAN_MILLISECOND);
        }

      g_subprocess_force_exit (node.server->process);
      g_subprocess_wait (node.server->process, NULL, NULL);
      tx_load_finish (load);
      /* Only now: a loader between two posts still reads its URL. */
      g_clear_pointer (&node.server, node_test_server_free);

      tx_node_start (&node);
      check_after_restart (&node, acked, seen);
    }

  g_test_message ("%u acknowledged, %u checkpoints seen", acked->len, seen->len);
  g_assert_cmpuint (acked->len, >, 0);

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

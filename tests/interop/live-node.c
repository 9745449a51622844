/* live-node.c: runs a real consent-node on 127.0.0.1 (init, providers,
 * invites, enrollments and a few hundred grants submitted from several
 * threads, so that batches hold many entries), writes what a client needs
 * to audit it into DIR, runs a checker command against the running node
 * (check-live-node.go, with Go's sumdb/note and sumdb/tlog) and stops the
 * node whatever the checker said.
 *
 * Usage: live-node DIR COMMAND [ARG…]
 *
 * DIR gets:
 *   node.txt      "url <https URL>", "cert <PEM file>", "key <log verifier
 *                 key>", "size <tree size>" lines
 *   ids.txt       "<index> <base64 transaction ID>" per submitted transaction
 *   receipts/<n>  a few tlog-proof receipts as the node returned them
 *
 * Exits with the checker's status; any failure of its own aborts, and the
 * node dies with this process (PR_SET_PDEATHSIG).
 */
#include "config.h"

#include <string.h>

#include "node-test-tx.h"

#define N_WORKERS 4
#define PATIENTS_PER_WORKER 6
#define GRANTS_PER_PATIENT 22

typedef struct
{
  TxNode *node;
  GPtrArray *patients;   /* TxPatient, enrolled */
  GMutex *lock;
  GString *ids;          /* under @lock */
} Worker;

static void
record (Worker     *worker,
        JsonObject *receipt)
{
  g_mutex_lock (worker->lock);
  g_string_append_printf (worker->ids, "%" G_GINT64_FORMAT " %s\n",
                          json_object_get_int_member (receipt, "index"),
                          json_object_get_string_member (receipt, "id"));
  g_mutex_unlock (worker->lock);
}

static gpointer
worker_thread (gpointer data)
{
  Worker *worker = data;
  TxNode view = *worker->node;

  /* A session of its own: sessions are not shared across threads. */
  view.session = node_test_session_new (worker->node->cert_path);
  for (guint g = 0; g < GRANTS_PER_PATIENT; g++)
    {
      for (guint i = 0; i < worker->patients->len; i++)
        {
          TxPatient *patient = g_ptr_array_index (worker->patients, i);
          CwScopes scopes = g % 2 == 0 ? CW_SCOPE_SUMMARY : CW_SCOPE_ALLERGIES | CW_SCOPE_VITALS;
          g_autoptr(CwTx) grant = tx_make_grant (patient, g % 3 == 0 ? "lab-two" : "gp-one",
                                                 scopes, CW_PURPOSE_TREAT);
          g_autoptr(JsonObject) receipt = tx_submit_ok (&view, grant, patient->key);

          tx_patient_advance (patient, grant);
          record (worker, receipt);
        }
    }
  g_clear_object (&view.session);

  return NULL;
}

static void
write_file (const char *dir,
            const char *name,
            const char *contents)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

static int
run_checker (char **argv)
{
  g_autoptr(GSubprocess) checker = NULL;
  g_autoptr(GError) error = NULL;

  checker = g_subprocess_newv ((const char * const *) argv, G_SUBPROCESS_FLAGS_NONE, &error);
  g_assert_no_error (error);
  g_subprocess_wait (checker, NULL, &error);
  g_assert_no_error (error);

  if (!g_subprocess_get_if_exited (checker))
    return 1;

  return g_subprocess_get_exit_status (checker);
}

int
main (int   argc,
      char *argv[])
{
  TxNode node;
  Worker workers[N_WORKERS];
  GThread *threads[N_WORKERS];
  GMutex lock;
  g_autoptr(GString) ids = g_string_new (NULL);
  g_autoptr(GString) info = g_string_new (NULL);
  g_autofree char *receipts = NULL;
  g_autofree char *verifier = NULL;
  guint64 size = 0;
  guint n_receipts = 0;
  int status;

  if (argc < 3)
    {
      g_printerr ("Usage: %s DIR COMMAND [ARG…]\n", argv[0]);
      return 2;
    }

  g_mutex_init (&lock);
  receipts = g_build_filename (argv[1], "receipts", NULL);
  g_assert_cmpint (g_mkdir_with_parents (receipts, 0700), ==, 0);

  tx_node_setup (&node);
  /* Long enough batches that concurrent submissions share them. */
  tx_node_configure (&node, 20, 4096);
  tx_node_start (&node);

  for (guint w = 0; w < N_WORKERS; w++)
    {
      workers[w].node = &node;
      workers[w].patients = g_ptr_array_new_with_free_func ((GDestroyNotify) tx_patient_free);
      workers[w].lock = &lock;
      workers[w].ids = ids;
      for (guint i = 0; i < PATIENTS_PER_WORKER; i++)
        {
          TxPatient *patient = tx_patient_new ();
          g_autofree char *code = tx_node_invite (&node, "gp-one");
          g_autoptr(CwTx) tx = tx_make_enroll (patient, code, "gp-one");
          g_autoptr(JsonObject) receipt = tx_submit_ok (&node, tx, patient->key);
          g_autofree char *name = g_strdup_printf ("receipts/%u", n_receipts++);

          tx_patient_advance (patient, tx);
          record (&workers[w], receipt);
          /* Receipts made against early, small checkpoints. */
          write_file (argv[1], name, json_object_get_string_member (receipt, "proof"));
          g_ptr_array_add (workers[w].patients, patient);
        }
    }

  for (guint w = 0; w < N_WORKERS; w++)
    threads[w] = g_thread_new ("submitter", worker_thread, &workers[w]);
  for (guint w = 0; w < N_WORKERS; w++)
    g_thread_join (threads[w]);

  /* One more, made against the final checkpoint. */
  {
    TxPatient *patient = g_ptr_array_index (workers[0].patients, 0);
    g_autoptr(CwTx) grant = tx_make_grant (patient, "gp-one", CW_SCOPE_SUMMARY,
                                           CW_PURPOSE_TREAT);
    g_autoptr(JsonObject) receipt = tx_submit_ok (&node, grant, patient->key);
    g_autofree char *name = g_strdup_printf ("receipts/%u", n_receipts++);

    tx_patient_advance (patient, grant);
    record (&workers[0], receipt);
    write_file (argv[1], name, json_object_get_string_member (receipt, "proof"));
    size = (guint64) json_object_get_int_member (receipt, "index") + 1;
  }

  for (guint w = 0; w < N_WORKERS; w++)
    g_ptr_array_unref (workers[w].patients);

  verifier = cw_verifier_key_to_string (node.log_key);
  g_string_append_printf (info, "url %s\ncert %s\nkey %s\nsize %" G_GUINT64_FORMAT "\n",
                          node.server->url, node.cert_path, verifier, size);
  write_file (argv[1], "node.txt", info->str);
  write_file (argv[1], "ids.txt", ids->str);
  g_printerr ("live-node: %" G_GUINT64_FORMAT " entries at %s\n", size, node.server->url);

  status = run_checker (argv + 2);

  tx_node_stop (&node);
  tx_node_teardown (&node);
  g_mutex_clear (&lock);

  return status;
}

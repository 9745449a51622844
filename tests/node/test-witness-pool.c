/* test-witness-pool.c: the log's witness client (CwWitnessPool) against
 * real `consent-node witness serve` processes on 127.0.0.1: quorum, catching
 * up a witness that is behind via 409, forks, pins, and the node's witness
 * configuration (c2sp.org/tlog-witness). */
#include "config.h"

#include <string.h>

#include "cw-checkpoint.h"
#include "cw-node-config.h"
#include "cw-node-data-dir.h"
#include "cw-witness-pool.h"
#include "node-test-util.h"
#include "witness-test-util.h"

#define ORIGIN "consent.example.org/log"

typedef struct
{
  GAsyncResult *result;
} Waiter;

static void
done_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Waiter *waiter = user_data;

  waiter->result = g_object_ref (result);
  g_main_context_wakeup (NULL);
}

/* Pushes @log's checkpoint of @size through @pool and waits for it. */
static char *
push (CwWitnessPool  *pool,
      TestLog        *log,
      guint64         size,
      GPtrArray     **out_cosignatures)
{
  g_autofree char *note = test_log_sign (log, size);
  g_autoptr(GError) error = NULL;
  Waiter waiter = { NULL };
  char *cosigned;

  cw_witness_pool_cosign_async (pool, note, size, test_log_proof_func, log, NULL, NULL,
                                done_cb, &waiter);
  while (waiter.result == NULL)
    g_main_context_iteration (NULL, TRUE);

  cosigned = cw_witness_pool_cosign_finish (pool, waiter.result, out_cosignatures, &error);
  g_assert_no_error (error);
  g_object_unref (waiter.result);
  g_assert_true (g_str_has_prefix (cosigned, note));

  return cosigned;
}

static CwWitnessPool *
make_pool (TestLog      *log,
           TestWitness **witnesses,
           guint         n_witnesses)
{
  CwWitnessPool *pool = cw_witness_pool_new (test_log_get_verifier (log));
  g_autoptr(GError) error = NULL;

  /* Generous: the pool completes as soon as every witness answered. */
  cw_witness_pool_set_timeout (pool, 60000);
  for (guint i = 0; i < n_witnesses; i++)
    {
      cw_witness_pool_add_witness (pool, witnesses[i]->url, witnesses[i]->pin,
                                   witnesses[i]->key, &error);
      g_assert_no_error (error);
    }

  return pool;
}

/* Opens @note with both witnesses' keys and returns how many cosigned. */
static guint
count_cosigners (const char  *note,
                 TestLog     *log,
                 TestWitness *a,
                 TestWitness *b)
{
  CwVerifierKey *keys[] = { a->key, b->key };
  g_autoptr(CwSignedCheckpoint) opened = NULL;
  g_autoptr(GError) error = NULL;

  opened = cw_signed_checkpoint_open (note, strlen (note), test_log_get_verifier (log),
                                      keys, G_N_ELEMENTS (keys), &error);
  g_assert_no_error (error);

  return cw_signed_checkpoint_get_n_cosigners (opened);
}

static void
assert_quorum (const char  *note,
               TestLog     *log,
               TestWitness *a,
               TestWitness *b,
               guint        quorum)
{
  CwVerifierKey *keys[] = { a->key, b->key };
  g_autoptr(CwSignedCheckpoint) opened = NULL;
  g_autoptr(GError) error = NULL;

  opened = cw_signed_checkpoint_open (note, strlen (note), test_log_get_verifier (log),
                                      keys, G_N_ELEMENTS (keys), &error);
  g_assert_no_error (error);
  cw_signed_checkpoint_check_quorum (opened, quorum, &error);
  g_assert_no_error (error);
}

typedef struct
{
  TestLog *log;
  TestWitness *a;
  TestWitness *b;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->log = test_log_new (ORIGIN);
  fixture->a = test_witness_new ("a.witness.example.org");
  fixture->b = test_witness_new ("b.witness.example.org");
  test_witness_add_log (fixture->a, ORIGIN, test_log_get_verifier (fixture->log));
  test_witness_add_log (fixture->b, ORIGIN, test_log_get_verifier (fixture->log));
  test_witness_start (fixture->a);
  test_witness_start (fixture->b);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  /* Frees kill whatever still runs, so this also holds after a failure. */
  g_clear_pointer (&fixture->a, test_witness_free);
  g_clear_pointer (&fixture->b, test_witness_free);
  g_clear_pointer (&fixture->log, test_log_free);
}

static void
test_pool_quorum (Fixture       *fixture,
                  gconstpointer  data)
{
  TestWitness *witnesses[] = { fixture->a, fixture->b };
  g_autoptr(CwWitnessPool) pool = make_pool (fixture->log, witnesses, 2);
  g_autoptr(GPtrArray) cosignatures = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  guint64 size = 0;

  test_log_append (fixture->log, 8);

  first = push (pool, fixture->log, 3, &cosignatures);
  g_assert_cmpuint (cosignatures->len, ==, 2);
  assert_quorum (first, fixture->log, fixture->a, fixture->b, 2);
  g_clear_pointer (&cosignatures, g_ptr_array_unref);

  /* The second goes with a consistency proof from 3. */
  second = push (pool, fixture->log, 8, &cosignatures);
  g_assert_cmpuint (cosignatures->len, ==, 2);
  assert_quorum (second, fixture->log, fixture->a, fixture->b, 2);
  for (guint i = 0; i < cosignatures->len; i++)
    {
      CwWitnessCosignature *c = g_ptr_array_index (cosignatures, i);

      g_assert_cmpstr (c->witness, ==, witnesses[i]->name);
      g_assert_true (g_str_has_prefix (c->line, "— "));
      g_assert_null (strchr (c->line, '\n'));
      g_assert_cmpuint (c->time, >, 0);
      g_assert_true (cw_witness_pool_get_witness_size (pool, i, &size));
      g_assert_cmpuint (size, ==, 8);
    }

  g_assert_cmpint (test_witness_stop (fixture->a), ==, 0);
  g_assert_cmpint (test_witness_stop (fixture->b), ==, 0);
}

static void
test_pool_catch_up (Fixture       *fixture,
                    gconstpointer  data)
{
  TestWitness *both[] = { fixture->a, fixture->b };
  g_autoptr(CwWitnessPool) pool = make_pool (fixture->log, both, 2);
  g_autoptr(CwWitnessPool) only_a = make_pool (fixture->log, both, 1);
  g_autoptr(CwWitnessPool) fresh = NULL;
  g_autofree char *note = NULL;
  guint64 size = 0;

  test_log_append (fixture->log, 12);
  g_free (push (pool, fixture->log, 3, NULL));

  /* B misses two checkpoints. */
  g_free (push (only_a, fixture->log, 5, NULL));
  g_free (push (only_a, fixture->log, 8, NULL));

  /* The pool still believes both are at 3: A answers 409 with 8, and the
   * pool catches up from there; B goes from 3 to 10 directly. */
  note = push (pool, fixture->log, 10, NULL);
  g_assert_cmpuint (count_cosigners (note, fixture->log, fixture->a, fixture->b), ==, 2);
  g_clear_pointer (&note, g_free);

  /* A pool that knows nothing starts from 0 and learns both sizes. */
  fresh = make_pool (fixture->log, both, 2);
  g_assert_false (cw_witness_pool_get_witness_size (fresh, 0, NULL));
  note = push (fresh, fixture->log, 12, NULL);
  assert_quorum (note, fixture->log, fixture->a, fixture->b, 2);
  g_assert_true (cw_witness_pool_get_witness_size (fresh, 1, &size));
  g_assert_cmpuint (size, ==, 12);

  g_assert_cmpint (test_witness_stop (fixture->a), ==, 0);
  g_assert_cmpint (test_witness_stop (fixture->b), ==, 0);
}

static void
test_pool_fork (Fixture       *fixture,
                gconstpointer  data)
{
  TestWitness *both[] = { fixture->a, fixture->b };
  g_autoptr(CwWitnessPool) pool = make_pool (fixture->log, both, 2);
  g_autoptr(CwWitnessPool) fork_pool = make_pool (fixture->log, both, 2);
  g_autoptr(TestLog) fork = NULL;
  g_autoptr(GPtrArray) cosignatures = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CwSignedCheckpoint) opened = NULL;
  g_autofree char *note = NULL;
  CwVerifierKey *keys[] = { fixture->a->key, fixture->b->key };

  test_log_append (fixture->log, 10);
  g_free (push (pool, fixture->log, 10, NULL));

  fork = test_log_fork (fixture->log, 6);
  test_log_append (fork, 8);

  /* The same size with another root, then a larger tree of the fork. */
  note = push (fork_pool, fork, 10, &cosignatures);
  g_assert_cmpuint (cosignatures->len, ==, 0);
  g_clear_pointer (&note, g_free);
  g_clear_pointer (&cosignatures, g_ptr_array_unref);
  note = push (fork_pool, fork, 14, &cosignatures);
  g_assert_cmpuint (cosignatures->len, ==, 0);

  opened = cw_signed_checkpoint_open (note, strlen (note), test_log_get_verifier (fork),
                                      keys, 2, &error);
  g_assert_no_error (error);
  g_assert_false (cw_signed_checkpoint_check_quorum (opened, 1, &error));
  g_assert_error (error, CW_CHECKPOINT_ERROR, CW_CHECKPOINT_ERROR_NO_QUORUM);

  /* The real log still gets its cosignatures. */
  test_log_append (fixture->log, 2);
  g_clear_pointer (&note, g_free);
  note = push (pool, fixture->log, 12, NULL);
  assert_quorum (note, fixture->log, fixture->a, fixture->b, 2);

  g_assert_cmpint (test_witness_stop (fixture->a), ==, 0);
  g_assert_cmpint (test_witness_stop (fixture->b), ==, 0);
}

static void
test_pool_wrong_pin (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(CwWitnessPool) pool = cw_witness_pool_new (test_log_get_verifier (fixture->log));
  g_autoptr(GPtrArray) cosignatures = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *note = NULL;
  guint64 size = 0;

  /* A's address with B's pin and key: whoever answers there is not B. */
  cw_witness_pool_add_witness (pool, fixture->a->url, fixture->b->pin, fixture->b->key, &error);
  g_assert_no_error (error);
  cw_witness_pool_add_witness (pool, fixture->b->url, fixture->b->pin, fixture->a->key, &error);
  g_assert_no_error (error);

  test_log_append (fixture->log, 4);
  note = push (pool, fixture->log, 4, &cosignatures);
  g_assert_cmpuint (cosignatures->len, ==, 0);

  /* B cosigned, but not with the key configured for it: not attached. */
  test_witness_get_state (fixture->b, ORIGIN, &size, NULL);
  g_assert_cmpuint (size, ==, 4);
  test_witness_get_state (fixture->a, ORIGIN, &size, NULL);
  g_assert_cmpuint (size, ==, 0);

  g_assert_cmpint (test_witness_stop (fixture->a), ==, 0);
  g_assert_cmpint (test_witness_stop (fixture->b), ==, 0);
}

typedef struct
{
  CwWitnessPool *pool;
  TestLog *log;
  guint64 size;
  GPtrArray *cosignatures;
  char *note;
} SyncJob;

static gpointer
sync_thread (gpointer data)
{
  SyncJob *job = data;
  g_autofree char *note = test_log_sign (job->log, job->size);
  g_autoptr(GError) error = NULL;

  /* As the sequencer's cosign step does: a thread without a main loop. */
  job->note = cw_witness_pool_cosign_sync (job->pool, note, job->size, test_log_proof_func,
                                           job->log, NULL, &job->cosignatures, &error);
  g_assert_no_error (error);

  return NULL;
}

static void
test_pool_sync (Fixture       *fixture,
                gconstpointer  data)
{
  TestWitness *both[] = { fixture->a, fixture->b };
  g_autoptr(CwWitnessPool) pool = make_pool (fixture->log, both, 2);
  SyncJob job = { pool, fixture->log, 0, NULL, NULL };

  test_log_append (fixture->log, 6);
  for (guint64 size = 2; size <= 6; size += 4)
    {
      GThread *thread;

      job.size = size;
      thread = g_thread_new ("cosign", sync_thread, &job);
      g_thread_join (thread);

      g_assert_cmpuint (job.cosignatures->len, ==, 2);
      assert_quorum (job.note, fixture->log, fixture->a, fixture->b, 2);
      g_clear_pointer (&job.cosignatures, g_ptr_array_unref);
      g_clear_pointer (&job.note, g_free);
    }

  g_assert_cmpint (test_witness_stop (fixture->a), ==, 0);
  g_assert_cmpint (test_witness_stop (fixture->b), ==, 0);
}

static void
test_pool_unreachable (void)
{
  g_autoptr(TestLog) log = test_log_new (ORIGIN);
  g_autoptr(TestWitness) witness = test_witness_new ("gone.example.org");
  g_autoptr(CwWitnessPool) pool = cw_witness_pool_new (test_log_get_verifier (log));
  g_autoptr(GPtrArray) cosignatures = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *note = NULL;
  g_autofree char *signed_note = NULL;
  Waiter waiter = { NULL };

  /* Nobody listens there (the witness never started). */
  cw_witness_pool_add_witness (pool, "https://127.0.0.1:1", witness->pin, witness->key, &error);
  g_assert_no_error (error);
  test_log_append (log, 1);
  note = push (pool, log, 1, &cosignatures);
  g_assert_cmpuint (cosignatures->len, ==, 0);

  /* A note the log did not sign is refused outright. */
  signed_note = g_strdup ("consent.example.org/log\n1\nAAAA\n\n— x AAAA\n");
  cw_witness_pool_cosign_async (pool, signed_note, 1, NULL, NULL, NULL, NULL, done_cb, &waiter);
  while (waiter.result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_null (cw_witness_pool_cosign_finish (pool, waiter.result, NULL, &error));
  g_assert_error (error, CW_WITNESS_POOL_ERROR, CW_WITNESS_POOL_ERROR_INVALID);
  g_object_unref (waiter.result);
}

static void
test_pool_node_config (void)
{
  g_autofree char *tmp = node_test_make_tmpdir ();
  g_autofree char *node_dir = g_build_filename (tmp, "node", NULL);
  g_autoptr(TestWitness) a = test_witness_new ("a.witness.example.org");
  g_autoptr(TestWitness) b = test_witness_new ("b.witness.example.org");
  g_autoptr(CwNodeDataDir) data_dir = NULL;
  g_autoptr(CwWitnessPool) pool = NULL;
  g_autoptr(CwSigningKey) log_key = NULL;
  g_autoptr(NodeRun) run = NULL;
  g_autoptr(GError) error = NULL;
  CwNodeConfig *config;

  run = node_test_run ("init", "--dir", node_dir, "--origin", ORIGIN, NULL);
  g_assert_cmpint (run->exit_status, ==, 0);
  g_clear_pointer (&run, node_run_free);

  run = node_test_run ("witness", "node-add", "--dir", node_dir, "--url",
                       "https://127.0.0.1:9001", "--pin", a->pin, "--key", a->verifier_key,
                       NULL);
  g_assert_cmpint (run->exit_status, ==, 0);
  g_clear_pointer (&run, node_run_free);

  /* Refused: a quorum above the witness count, a bad pin, a plain Ed25519
   * key, the same key again. */
  run = node_test_run ("witness", "node-add", "--dir", node_dir, "--url",
                       "https://127.0.0.1:9002", "--pin", b->pin, "--key", b->verifier_key,
                       "--quorum", "3", NULL);
  g_assert_cmpint (run->exit_status, ==, 1);
  g_clear_pointer (&run, node_run_free);
  run = node_test_run ("witness", "node-add", "--dir", node_dir, "--url",
                       "https://127.0.0.1:9002", "--pin", "nope", "--key", b->verifier_key, NULL);
  g_assert_cmpint (run->exit_status, ==, 1);
  g_clear_pointer (&run, node_run_free);
  run = node_test_run ("witness", "node-add", "--dir", node_dir, "--url",
                       "https://127.0.0.1:9002", "--pin", b->pin, "--key",
                       "consent.example.org/log+00000000+AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                       NULL);
  g_assert_cmpint (run->exit_status, ==, 1);
  g_clear_pointer (&run, node_run_free);
  run = node_test_run ("witness", "node-add", "--dir", node_dir, "--url",
                       "http://127.0.0.1:9002", "--pin", b->pin, "--key", b->verifier_key, NULL);
  g_assert_cmpint (run->exit_status, ==, 1);
  g_clear_pointer (&run, node_run_free);
  run = node_test_run ("witness", "node-add", "--dir", node_dir, "--url",
                       "https://127.0.0.1:9002", "--pin", b->pin, "--key", a->verifier_key, NULL);
  g_assert_cmpint (run->exit_status, ==, 1);
  g_clear_pointer (&run, node_run_free);

  run = node_test_run ("witness", "node-add", "--dir", node_dir, "--url",
                       "https://127.0.0.1:9002", "--pin", b->pin, "--key", b->verifier_key,
                       "--quorum", "2", NULL);
  g_assert_cmpint (run->exit_status, ==, 0);
  g_clear_pointer (&run, node_run_free);

  data_dir = cw_node_data_dir_open (node_dir, &error);
  g_assert_no_error (error);
  config = cw_node_data_dir_get_config (data_dir);
  g_assert_cmpuint (cw_node_config_get_witness_quorum (config), ==, 2);
  g_assert_cmpuint (g_strv_length ((char **) cw_node_config_get_witnesses (config)), ==, 2);
  g_assert_cmpint (node_test_file_mode (node_dir), ==, 0700);

  log_key = cw_node_data_dir_load_log_key (data_dir, &error);
  g_assert_no_error (error);
  pool = cw_witness_pool_new_from_config (config, cw_signing_key_get_verifier (log_key), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (cw_witness_pool_get_n_witnesses (pool), ==, 2);
  g_assert_cmpstr (cw_verifier_key_get_name (cw_witness_pool_get_witness_key (pool, 1)), ==,
                   "b.witness.example.org");

  /* The node still starts with it. */
  run = node_test_run ("status", "--dir", node_dir, NULL);
  g_assert_cmpint (run->exit_status, ==, 0);

  g_clear_object (&data_dir);
  node_test_remove_tree (tmp);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/witness-pool/quorum", Fixture, NULL,
              fixture_set_up, test_pool_quorum, fixture_tear_down);
  g_test_add ("/witness-pool/catch-up", Fixture, NULL,
              fixture_set_up, test_pool_catch_up, fixture_tear_down);
  g_test_add ("/witness-pool/fork", Fixture, NULL,
              fixture_set_up, test_pool_fork, fixture_tear_down);
  g_test_add ("/witness-pool/wrong-pin", Fixture, NULL,
              fixture_set_up, test_pool_wrong_pin, fixture_tear_down);
  g_test_add ("/witness-pool/sync", Fixture, NULL,
              fixture_set_up, test_pool_sync, fixture_tear_down);
  g_test_add_func ("/witness-pool/unreachable", test_pool_unreachable);
  g_test_add_func ("/witness-pool/node-config", test_pool_node_config);

  return g_test_run ();
}

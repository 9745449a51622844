/* test-node-tx.c: integration tests of the sequencer over HTTPS against
 * the real consent-node: every rule accepted and refused, receipts,
 * idempotency, 409 with the head, concurrency, tiles, proofs, restart. */
#include "config.h"

#include <string.h>

#include "cw-encoding.h"
#include "cw-log-tree.h"
#include "cw-merkle.h"
#include "cw-tiles.h"
#include "node-test-tx.h"

#define ALL_TREAT (CW_SCOPE_SUMMARY | CW_SCOPE_ALLERGIES)

typedef struct
{
  TxNode node;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  tx_node_setup (&fixture->node);
  tx_node_start (&fixture->node);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  tx_node_teardown (&fixture->node);
}

static guint64
current_size (TxNode *node)
{
  g_autoptr(GBytes) body = NULL;
  g_autofree char *note = NULL;
  guint64 size;

  g_assert_cmpuint (tx_get (node, "/log/checkpoint", &body), ==, 200);
  note = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
  tx_open_checkpoint (node, note, &size, NULL);

  return size;
}

/* Enrolls @patient with a fresh invite of gp-one. */
static void
enroll (TxNode    *node,
        TxPatient *patient)
{
  g_autofree char *code = tx_node_invite (node, "gp-one");
  g_autoptr(CwTx) tx = tx_make_enroll (patient, code, "gp-one");
  g_autoptr(JsonObject) receipt = tx_submit_ok (node, tx, patient->key);

  tx_patient_advance (patient, tx);
}

static void
test_chain (Fixture       *fixture,
            gconstpointer  data)
{
  TxNode *node = &fixture->node;
  g_autoptr(TxPatient) patient = tx_patient_new ();
  g_autofree char *code = tx_node_invite (node, "gp-one");
  g_autoptr(CwTx) enroll_tx = tx_make_enroll (patient, code, "gp-one");
  g_autoptr(GBytes) enroll_env = tx_sign (enroll_tx, patient->key);
  g_autoptr(JsonObject) first = tx_post_expect (node, enroll_env, 200, NULL);
  g_autoptr(JsonObject) again = NULL;
  g_autoptr(CwTx) grant = NULL;
  g_autoptr(JsonObject) grant_receipt = NULL;
  g_autoptr(CwTx) stale = NULL;
  g_autoptr(GBytes) stale_env = NULL;
  g_autoptr(JsonObject) conflict = NULL;
  g_autoptr(CwTx) revoke = NULL;
  g_autoptr(JsonObject) revoke_receipt = NULL;
  g_autoptr(CwTx) revoke_again = NULL;
  g_autoptr(GBytes) revoke_again_env = NULL;
  g_autoptr(JsonObject) refused = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *head_id = NULL;
  guint8 grant_id[CW_TX_ID_SIZE];
  CwTxCommon common;
  JsonObject *head;

  tx_check_receipt (node, first, enroll_tx);
  tx_patient_advance (patient, enroll_tx);

  /* The same envelope again: the same receipt, nothing new logged. */
  again = tx_post_expect (node, enroll_env, 200, NULL);
  g_assert_cmpint (json_object_get_int_member (again, "index"), ==,
                   json_object_get_int_member (first, "index"));
  g_assert_cmpstr (json_object_get_string_member (again, "proof"), ==,
                   json_object_get_string_member (first, "proof"));
  g_assert_cmpuint (current_size (node), ==, 1);

  grant = tx_make_grant (patient, "gp-one", ALL_TREAT, CW_PURPOSE_TREAT);
  grant_receipt = tx_submit_ok (node, grant, patient->key);
  g_assert_cmpint (json_object_get_int_member (grant_receipt, "index"), ==, 1);
  g_assert_false (json_object_has_member (grant_receipt, "outcome"));
  cw_tx_compute_id (grant, grant_id);

  /* seq 1 again, from the enroll: 409 with the real head. */
  common = (CwTxCommon) { patient->id, 1, NULL, NULL, NULL };
  {
    guint8 enroll_id[CW_TX_ID_SIZE];

    cw_tx_compute_id (enroll_tx, enroll_id);
    common.prev = enroll_id;
    stale = cw_tx_new_revoke (&common, grant_id, &error);
    g_assert_no_error (error);
  }
  stale_env = tx_sign (stale, patient->key);
  conflict = tx_post_expect (node, stale_env, 409, "chain_conflict");
  head = json_object_get_object_member (conflict, "head");
  head_id = cw_tx_dup_id_base64 (grant);
  g_assert_cmpint (json_object_get_int_member (head, "seq"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (head, "id"), ==, head_id);

  tx_patient_advance (patient, grant);
  common = tx_patient_next (patient, NULL);
  revoke = cw_tx_new_revoke (&common, grant_id, &error);
  g_assert_no_error (error);
  revoke_receipt = tx_submit_ok (node, revoke, patient->key);
  tx_patient_advance (patient, revoke);

  /* A revoked grant cannot be revoked again. */
  common = tx_patient_next (patient, NULL);
  revoke_again = cw_tx_new_revoke (&common, grant_id, &error);
  g_assert_no_error (error);
  revoke_again_env = tx_sign (revoke_again, patient->key);
  refused = tx_post_expect (node, revoke_again_env, 422, "grant_inactive");
  g_assert_cmpuint (current_size (node), ==, 3);
}

static void
test_enroll_refused (Fixture       *fixture,
                     gconstpointer  data)
{
  TxNode *node = &fixture->node;
  g_autoptr(TxPatient) alice = tx_patient_new ();
  g_autoptr(TxPatient) bob = tx_patient_new ();
  g_autofree char *code = tx_node_invite (node, "gp-one");
  g_autofree char *lab_code = tx_node_invite (node, "lab-two");
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) later = g_date_time_add_hours (now, 1);
  g_autoptr(GError) error = NULL;
  const struct {
    const char *body;
    const char *code;
  } malformed[] = {
    { "{}", "malformed_envelope" },
    { "not json", "malformed_envelope" },
    { "{\"payload\":\"e30=\",\"payloadType\":\"application/vnd.consentwallet.tx+json\","
      "\"signatures\":[{\"keyid\":\"00\",\"sig\":\"AAAA\"}]}", "malformed_envelope" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (malformed); i++)
    {
      g_autoptr(GBytes) body = g_bytes_new_static (malformed[i].body, strlen (malformed[i].body));
      g_autoptr(JsonObject) answer = tx_post_expect (node, body, 400, malformed[i].code);
    }

  {
    /* Signed by the recovery key instead of the patient key. */
    g_autoptr(CwTx) tx = tx_make_enroll (alice, code, "gp-one");
    g_autoptr(GBytes) env = tx_sign (tx, alice->recovery);
    g_autoptr(JsonObject) answer = tx_post_expect (node, env, 403, "bad_signature");
  }
  {
    g_autoptr(CwTx) tx = tx_make_enroll (alice, "AAAAA-BBBBB-CCCCC-DDDDD", "gp-one");
    g_autoptr(GBytes) env = tx_sign (tx, alice->key);
    g_autoptr(JsonObject) answer = tx_post_expect (node, env, 422, "invalid_invite");
  }
  {
    /* The lab's code does not enroll at the practice. */
    g_autoptr(CwTx) tx = tx_make_enroll (alice, lab_code, "gp-one");
    g_autoptr(GBytes) env = tx_sign (tx, alice->key);
    g_autoptr(JsonObject) answer = tx_post_expect (node, env, 422, "invalid_invite");
  }
  {
    CwTxCommon common = { alice->id, 0, NULL, later, NULL };
    g_autoptr(CwTx) tx = cw_tx_new_enroll (&common, cw_signing_key_get_public_key (alice->recovery),
                                           code, "gp-one", &error);
    g_autoptr(GBytes) env = NULL;
    g_autoptr(JsonObject) answer = NULL;

    g_assert_no_error (error);
    env = tx_sign (tx, alice->key);
    answer = tx_post_expect (node, env, 422, "time_in_future");
  }
  {
    g_autoptr(CwTx) grant = tx_make_grant (alice, "gp-one", ALL_TREAT, CW_PURPOSE_TREAT);
    g_autoptr(GBytes) env = tx_sign (grant, alice->key);
    g_autoptr(JsonObject) answer = tx_post_expect (node, env, 422, "unknown_patient");
  }

  /* Nothing refused was logged; the code still works once. */
  g_assert_cmpuint (current_size (node), ==, 0);
  {
    g_autoptr(CwTx) tx = tx_make_enroll (alice, code, "gp-one");
    g_autoptr(JsonObject) receipt = tx_submit_ok (node, tx, alice->key);
  }
  {
    g_autoptr(CwTx) tx = tx_make_enroll (bob, code, "gp-one");
    g_autoptr(GBytes) env = tx_sign (tx, bob->key);
    g_autoptr(JsonObject) answer = tx_post_expect (node, env, 422, "invalid_invite");
  }
  {
    /* Enrolled already: seq 0 is taken. */
    g_autofree char *second = tx_node_invite (node, "gp-one");
    g_autoptr(CwTx) tx = tx_make_enroll (alice, second, "gp-one");
    g_autoptr(GBytes) env = tx_sign (tx, alice->key);
    g_autoptr(JsonObject) answer = tx_post_expect (node, env, 409, "chain_conflict");

    g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (answer, "head"),
                                                 "seq"), ==, 0);
  }
  g_assert_cmpuint (current_size (node), ==, 1);
}

static void
test_grant_refused (Fixture       *fixture,
                    gconstpointer  data)
{
  TxNode *node = &fixture->node;
  g_autoptr(TxPatient) patient = tx_patient_new ();
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) past = g_date_time_add_days (now, -2);
  g_autoptr(GDateTime) expired = g_date_time_add_days (now, -1);
  g_autoptr(GError) error = NULL;

  enroll (node, patient);
  {
    g_autoptr(CwTx) grant = tx_make_grant (patient, "nobody-here", ALL_TREAT, CW_PURPOSE_TREAT);
    g_autoptr(GBytes) env = tx_sign (grant, patient->key);
    g_autoptr(JsonObject) answer = tx_post_expect (node, env, 422, "unknown_provider");
  }
  {
    CwTxCommon common = tx_patient_next (patient, past);
    g_autoptr(CwTx) grant = cw_tx_new_grant (&common, "gp-one", ALL_TREAT, CW_PURPOSE_TREAT,
                                             CW_ACCESS_VIEW, NULL, NULL, expired, NULL, &error);
    g_autoptr(GBytes) env = NULL;
    g_autoptr(JsonObject) answer = NULL;

    g_assert_no_error (error);
    env = tx_sign (grant, patient->key);
    answer = tx_post_expect (node, env, 422, "expired");
  }
  {
    g_autoptr(CwTx) grant = tx_make_grant (patient, "gp-one", ALL_TREAT, CW_PURPOSE_TREAT);
    g_autoptr(GBytes) env = tx_sign (grant, node->gp_key);
    g_autoptr(JsonObject) answer = tx_post_expect (node, env, 403, "bad_signature");
  }
  {
    guint8 nothing[CW_TX_ID_SIZE] = { 1 };
    CwTxCommon common = tx_patient_next (patient, NULL);
    g_autoptr(CwTx) revoke = cw_tx_new_revoke (&common, nothing, &error);
    g_autoptr(GBytes) env = NULL;
    g_autoptr(JsonObject) answer = NULL;

    g_assert_no_error (error);
    env = tx_sign (revoke, patient->key);
    answer = tx_post_expect (node, env, 422, "unknown_grant");
  }
  g_assert_cmpuint (current_size (node), ==, 1);
}

static void
expect_access (TxNode       *node,
               TxPatient    *patient,
               CwSigningKey *key,
               const char   *provider,
               const guint8 *grant_id,
               CwScopes      scopes,
               CwPurpose     purpose,
               const char   *outcome)
{
  g_autoptr(CwTx) access = tx_make_access (patient, provider, grant_id, scopes, purpose);
  g_autoptr(JsonObject) receipt = tx_submit_ok (node, access, key);

  g_assert_cmpstr (json_object_get_string_member (receipt, "outcome"), ==, outcome);
}

static void
test_access (Fixture       *fixture,
             gconstpointer  data)
{
  TxNode *node = &fixture->node;
  g_autoptr(TxPatient) patient = tx_patient_new ();
  g_autoptr(TxPatient) other = tx_patient_new ();
  g_autoptr(CwTx) grant = NULL;
  g_autoptr(JsonObject) receipt = NULL;
  g_autoptr(GError) error = NULL;
  guint8 grant_id[CW_TX_ID_SIZE];
  guint64 size;

  enroll (node, patient);
  enroll (node, other);
  grant = tx_make_grant (patient, "gp-one", ALL_TREAT, CW_PURPOSE_TREAT);
  receipt = tx_submit_ok (node, grant, patient->key);
  tx_patient_advance (patient, grant);
  cw_tx_compute_id (grant, grant_id);

  expect_access (node, patient, node->gp_key, "gp-one", grant_id, CW_SCOPE_SUMMARY,
                 CW_PURPOSE_TREAT, "allowed");
  expect_access (node, patient, node->gp_key, "gp-one", grant_id,
                 CW_SCOPE_SUMMARY | CW_SCOPE_GENETICS, CW_PURPOSE_TREAT, "denied");
  expect_access (node, patient, node->gp_key, "gp-one", grant_id, CW_SCOPE_SUMMARY,
                 CW_PURPOSE_HRESCH, "denied");
  expect_access (node, patient, node->lab_key, "lab-two", grant_id, CW_SCOPE_SUMMARY,
                 CW_PURPOSE_TREAT, "denied");
  expect_access (node, other, node->gp_key, "gp-one", grant_id, CW_SCOPE_SUMMARY,
                 CW_PURPOSE_TREAT, "denied");

  size = current_size (node);
  {
    /* Signed by another provider's key: refused, not logged. */
    g_autoptr(CwTx) access = tx_make_access (patient, "gp-one", grant_id, CW_SCOPE_SUMMARY,
                                             CW_PURPOSE_TREAT);
    g_autoptr(GBytes) env = tx_sign (access, node->lab_key);
    g_autoptr(JsonObject) answer = tx_post_expect (node, env, 403, "bad_signature");
  }
  {
    g_autoptr(TxPatient) stranger = tx_patient_new ();
    g_autoptr(CwTx) access = tx_make_access (stranger, "gp-one", grant_id, CW_SCOPE_SUMMARY,
                                             CW_PURPOSE_TREAT);
    g_autoptr(GBytes) env = tx_sign (access, node->gp_key);
    g_autoptr(JsonObject) answer = tx_post_expect (node, env, 422, "unknown_patient");
  }
  g_assert_cmpuint (current_size (node), ==, size);

  {
    CwTxCommon common = tx_patient_next (patient, NULL);
    g_autoptr(CwTx) revoke = cw_tx_new_revoke (&common, grant_id, &error);
    g_autoptr(JsonObject) revoked = NULL;

    g_assert_no_error (error);
    revoked = tx_submit_ok (node, revoke, patient->key);
    tx_patient_advance (patient, revoke);
  }
  expect_access (node, patient, node->gp_key, "gp-one", grant_id, CW_SCOPE_SUMMARY,
                 CW_PURPOSE_TREAT, "denied");
}

static CwTx *
make_request (TxPatient  *patient,
              const char *provider)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) expires = g_date_time_add_days (now, 7);
  g_autoptr(GError) error = NULL;
  CwTxCommon common = { patient->id, 0, NULL, NULL, NULL };
  CwTx *tx;

  tx = cw_tx_new_request (&common, provider, CW_SCOPE_LAB_RESULTS, CW_PURPOSE_TREAT,
                          CW_ACCESS_VIEW, expires, "Follow-up of your blood test", &error);
  g_assert_no_error (error);

  return tx;
}

static void
test_request_deny (Fixture       *fixture,
                   gconstpointer  data)
{
  TxNode *node = &fixture->node;
  g_autoptr(TxPatient) patient = tx_patient_new ();
  g_autoptr(CwTx) request = NULL;
  g_autoptr(CwTx) second = NULL;
  g_autoptr(JsonObject) r1 = NULL;
  g_autoptr(JsonObject) r2 = NULL;
  g_autoptr(GError) error = NULL;
  guint8 request_id[CW_TX_ID_SIZE];
  guint8 second_id[CW_TX_ID_SIZE];

  enroll (node, patient);
  {
    g_autoptr(TxPatient) stranger = tx_patient_new ();
    g_autoptr(CwTx) tx = make_request (stranger, "lab-two");
    g_autoptr(GBytes) env = tx_sign (tx, node->lab_key);
    g_autoptr(JsonObject) answer = tx_post_expect (node, env, 422, "unknown_patient");
  }
  {
    g_autoptr(CwTx) tx = make_request (patient, "nobody-here");
    g_autoptr(GBytes) env = tx_sign (tx, node->lab_key);
    g_autoptr(JsonObject) answer = tx_post_expect (node, env, 422, "unknown_provider");
  }

  request = make_request (patient, "lab-two");
  r1 = tx_submit_ok (node, request, node->lab_key);
  cw_tx_compute_id (request, request_id);
  second = make_request (patient, "lab-two");
  r2 = tx_submit_ok (node, second, node->lab_key);
  cw_tx_compute_id (second, second_id);

  {
    CwTxCommon common = tx_patient_next (patient, NULL);
    g_autoptr(CwTx) deny = cw_tx_new_deny (&common, request_id, &error);
    g_autoptr(JsonObject) denied = NULL;

    g_assert_no_error (error);
    denied = tx_submit_ok (node, deny, patient->key);
    tx_patient_advance (patient, deny);
  }
  {
    CwTxCommon common = tx_patient_next (patient, NULL);
    g_autoptr(CwTx) deny = cw_tx_new_deny (&common, request_id, &error);
    g_autoptr(GBytes) env = NULL;
    g_autoptr(JsonObject) answer = NULL;

    g_assert_no_error (error);
    env = tx_sign (deny, patient->key);
    answer = tx_post_expect (node, env, 422, "request_not_pending");
  }
  {
    /* A grant answering the second request, from the provider that asked. */
    g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
    g_autoptr(GDateTime) expires = g_date_time_add_days (now, 7);
    CwTxCommon common = tx_patient_next (patient, NULL);
    g_autoptr(CwTx) wrong = cw_tx_new_grant (&common, "gp-one", CW_SCOPE_LAB_RESULTS,
                                             CW_PURPOSE_TREAT, CW_ACCESS_VIEW, NULL, NULL,
                                             expires, second_id, &error);
    g_autoptr(CwTx) grant = cw_tx_new_grant (&common, "lab-two", CW_SCOPE_LAB_RESULTS,
                                             CW_PURPOSE_TREAT, CW_ACCESS_VIEW, NULL, NULL,
                                             expires, second_id, &error);
    g_autoptr(GBytes) wrong_env = tx_sign (wrong, patient->key);
    g_autoptr(JsonObject) answer = tx_post_expect (node, wrong_env, 422, "unknown_request");
    g_autoptr(JsonObject) granted = tx_submit_ok (node, grant, patient->key);

    tx_patient_advance (patient, grant);
  }
  {
    CwTxCommon common = tx_patient_next (patient, NULL);
    g_autoptr(CwTx) deny = cw_tx_new_deny (&common, second_id, &error);
    g_autoptr(GBytes) env = NULL;
    g_autoptr(JsonObject) answer = NULL;

    g_assert_no_error (error);
    env = tx_sign (deny, patient->key);
    answer = tx_post_expect (node, env, 422, "request_not_pending");
  }
}

static void
test_rotate (Fixture       *fixture,
             gconstpointer  data)
{
  TxNode *node = &fixture->node;
  g_autoptr(TxPatient) patient = tx_patient_new ();
  g_autoptr(CwSigningKey) new_key = cw_signing_key_generate ("patient", CW_KEY_TYPE_ED25519, NULL);
  g_autoptr(CwSigningKey) newer_key = cw_signing_key_generate ("patient", CW_KEY_TYPE_ED25519, NULL);
  g_autoptr(GError) error = NULL;

  enroll (node, patient);
  {
    CwTxCommon common = tx_patient_next (patient, NULL);
    g_autoptr(CwTx) rotate = cw_tx_new_rotate (&common, cw_signing_key_get_public_key (new_key),
                                               NULL, &error);
    g_autoptr(GBytes) stranger_env = tx_sign (rotate, node->gp_key);
    g_autoptr(JsonObject) refused = tx_post_expect (node, stranger_env, 403, "bad_signature");
    g_autoptr(JsonObject) receipt = tx_submit_ok (node, rotate, patient->key);

    tx_patient_advance (patient, rotate);
  }
  {
    /* The old key is refused from now on; the new one works. */
    g_autoptr(CwTx) grant = tx_make_grant (patient, "gp-one", ALL_TREAT, CW_PURPOSE_TREAT);
    g_autoptr(GBytes) old_env = tx_sign (grant, patient->key);
    g_autoptr(JsonObject) refused = tx_post_expect (node, old_env, 403, "bad_signature");
    g_autoptr(JsonObject) receipt = tx_submit_ok (node, grant, new_key);

    tx_patient_advance (patient, grant);
  }
  {
    /* The recovery key may rotate too. */
    CwTxCommon common = tx_patient_next (patient, NULL);
    g_autoptr(CwTx) rotate = cw_tx_new_rotate (&common, cw_signing_key_get_public_key (newer_key),
                                               NULL, &error);
    g_autoptr(JsonObject) receipt = tx_submit_ok (node, rotate, patient->recovery);

    tx_patient_advance (patient, rotate);
  }
  {
    g_autoptr(CwTx) grant = tx_make_grant (patient, "lab-two", ALL_TREAT, CW_PURPOSE_TREAT);
    g_autoptr(GBytes) old_env = tx_sign (grant, new_key);
    g_autoptr(JsonObject) refused = tx_post_expect (node, old_env, 403, "bad_signature");
    g_autoptr(JsonObject) receipt = tx_submit_ok (node, grant, newer_key);
  }
}

/* Concurrency: patients on threads, each its own chain, all in flight. */
typedef struct
{
  TxNode *node;
  GPtrArray *patients;   /* TxPatient, enrolled */
  guint n_grants;
} Worker;

static gpointer
worker_thread (gpointer data)
{
  Worker *worker = data;
  TxNode view = *worker->node;

  /* A session of its own: sessions are not shared across threads. */
  view.session = node_test_session_new (worker->node->cert_path);
  for (guint g = 0; g < worker->n_grants; g++)
    {
      for (guint i = 0; i < worker->patients->len; i++)
        {
          TxPatient *patient = g_ptr_array_index (worker->patients, i);
          g_autoptr(CwTx) grant = tx_make_grant (patient, "gp-one", ALL_TREAT, CW_PURPOSE_TREAT);
          g_autoptr(JsonObject) receipt = tx_submit_ok (&view, grant, patient->key);

          tx_patient_advance (patient, grant);
        }
    }
  g_clear_object (&view.session);

  return NULL;
}

static void
test_concurrency (Fixture       *fixture,
                  gconstpointer  data)
{
  TxNode *node = &fixture->node;
  const guint n_workers = 8;
  const guint per_worker = 3;
  const guint n_grants = 4;
  Worker workers[8];
  GThread *threads[8];

  for (guint w = 0; w < n_workers; w++)
    {
      workers[w].node = node;
      workers[w].patients = g_ptr_array_new_with_free_func ((GDestroyNotify) tx_patient_free);
      workers[w].n_grants = n_grants;
      for (guint i = 0; i < per_worker; i++)
        {
          TxPatient *patient = tx_patient_new ();

          enroll (node, patient);
          g_ptr_array_add (workers[w].patients, patient);
        }
    }

  for (guint w = 0; w < n_workers; w++)
    threads[w] = g_thread_new ("submitter", worker_thread, &workers[w]);
  for (guint w = 0; w < n_workers; w++)
    g_thread_join (threads[w]);

  for (guint w = 0; w < n_workers; w++)
    {
      for (guint i = 0; i < per_worker; i++)
        g_assert_cmpuint (((TxPatient *) g_ptr_array_index (workers[w].patients, i))->seq, ==,
                          n_grants);
      g_ptr_array_unref (workers[w].patients);
    }

  g_assert_cmpuint (current_size (node), ==, n_workers * per_worker * (1 + n_grants));
}

static void
test_tiles_and_proofs (Fixture       *fixture,
                       gconstpointer  data)
{
  TxNode *node = &fixture->node;
  g_autoptr(TxPatient) patient = tx_patient_new ();
  g_autoptr(CwLogTree) local = cw_log_tree_new ();
  g_autoptr(GBytes) note_body = NULL;
  g_autofree char *note = NULL;
  guint8 root[CW_MERKLE_HASH_SIZE];
  guint8 local_root[CW_MERKLE_HASH_SIZE];
  guint8 old_root[CW_MERKLE_HASH_SIZE];
  guint64 size;
  guint64 old_size;
  guint8 grant_id[CW_TX_ID_SIZE] = { 7 };
  const char * const bad[] = {
    "/v1/log/proof/inclusion?index=0",
    "/v1/log/proof/inclusion?index=0&size=1&x=2",
    "/v1/log/proof/inclusion?index=01&size=2",
    "/v1/log/proof/inclusion?index=-1&size=2",
    "/v1/log/proof/inclusion?index=5&size=5",
    "/v1/log/proof/inclusion?index=0&size=100000",
    "/v1/log/proof/consistency?old=0&new=5",
    "/v1/log/proof/consistency?old=6&new=5",
    "/v1/log/proof/consistency?old=1&new=100000",
  };

  enroll (node, patient);
  g_assert_cmpuint (current_size (node), ==, 1);
  note_body = tx_get_ok (node, "/log/checkpoint");
  note = g_strndup (g_bytes_get_data (note_body, NULL), g_bytes_get_size (note_body));
  tx_open_checkpoint (node, note, &old_size, old_root);

  /* 299 access attempts (denied) cross a full tile. */
  for (guint i = 0; i < 299; i++)
    {
      g_autoptr(CwTx) access = tx_make_access (patient, "gp-one", grant_id, CW_SCOPE_SUMMARY,
                                               CW_PURPOSE_TREAT);
      g_autoptr(GBytes) env = tx_sign (access, node->gp_key);
      g_autoptr(JsonObject) receipt = tx_post_expect (node, env, 200, NULL);
    }

  g_clear_pointer (&note_body, g_bytes_unref);
  g_clear_pointer (&note, g_free);
  note_body = tx_get_ok (node, "/log/checkpoint");
  note = g_strndup (g_bytes_get_data (note_body, NULL), g_bytes_get_size (note_body));
  tx_open_checkpoint (node, note, &size, root);
  g_assert_cmpuint (size, ==, 300);

  /* The entry bundles rebuild the tree; the hash tiles agree with it. */
  for (guint n = 0; n < 2; n++)
    {
      CwTile tile = { CW_TILE_LEVEL_ENTRIES, n, n == 0 ? 256 : 44 };
      g_autofree char *path = cw_tile_path (&tile);
      g_autofree char *url_path = g_strconcat ("/log/", path, NULL);
      g_autoptr(GBytes) bundle = tx_get_ok (node, url_path);
      g_autoptr(GPtrArray) entries = NULL;
      g_autoptr(GError) error = NULL;

      entries = cw_entry_bundle_parse (bundle, tile.width, CW_TX_ID_SIZE, &error);
      g_assert_no_error (error);
      for (guint i = 0; i < entries->len; i++)
        cw_log_tree_append (local, g_bytes_get_data (g_ptr_array_index (entries, i), NULL),
                            CW_TX_ID_SIZE);
    }
  cw_log_tree_get_root (local, 300, local_root, NULL);
  g_assert_cmpmem (local_root, sizeof local_root, root, sizeof root);

  {
    const CwTile tiles[] = { { 0, 0, 256 }, { 0, 1, 44 }, { 0, 1, 10 }, { 1, 0, 1 } };

    for (guint i = 0; i < G_N_ELEMENTS (tiles); i++)
      {
        g_autofree char *path = cw_tile_path (&tiles[i]);
        g_autofree char *url_path = g_strconcat ("/log/", path, NULL);
        g_autoptr(GBytes) served = tx_get_ok (node, url_path);
        g_autoptr(GBytes) expected = cw_tile_read_data (&tiles[i], local, NULL);

        g_assert_true (g_bytes_equal (served, expected));
      }
  }
  {
    const char * const missing[] = { "/log/tile/0/001", "/log/tile/0/001.p/45", "/log/tile/1/000",
                                     "/log/tile/0/1", "/log/tile/entries/002.p/1" };

    for (guint i = 0; i < G_N_ELEMENTS (missing); i++)
      g_assert_cmpuint (tx_get (node, missing[i], NULL), ==, 404);
  }

  for (guint index = 0; index < 300; index += 37)
    {
      g_autofree char *path = g_strdup_printf ("/v1/log/proof/inclusion?index=%u&size=300", index);
      g_autoptr(GBytes) body = tx_get_ok (node, path);
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GPtrArray) proof = cw_merkle_proof_new ();
      g_autoptr(GError) error = NULL;
      guint8 leaf[CW_MERKLE_HASH_SIZE];
      JsonArray *hashes;

      json_parser_load_from_data (parser, g_bytes_get_data (body, NULL), g_bytes_get_size (body),
                                  &error);
      g_assert_no_error (error);
      hashes = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                             "proof");
      for (guint i = 0; i < json_array_get_length (hashes); i++)
        {
          guint8 hash[CW_MERKLE_HASH_SIZE];

          cw_base64_decode_fixed (json_array_get_string_element (hashes, i), -1, hash,
                                  sizeof hash, &error);
          g_assert_no_error (error);
          cw_merkle_proof_add (proof, hash);
        }
      cw_log_tree_get_node_hash (local, 0, index, leaf, NULL);
      cw_merkle_verify_inclusion (index, 300, leaf, root, proof, &error);
      g_assert_no_error (error);
    }

  tx_check_consistency (node, old_size, old_root, size, root);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_test_message ("GET %s", bad[i]);
      g_assert_cmpuint (tx_get (node, bad[i], NULL), ==, 400);
    }
}

static void
test_restart (Fixture       *fixture,
              gconstpointer  data)
{
  TxNode *node = &fixture->node;
  g_autoptr(TxPatient) patient = tx_patient_new ();
  g_autoptr(CwTx) grant = NULL;
  g_autoptr(GBytes) grant_env = NULL;
  g_autoptr(JsonObject) before = NULL;
  g_autoptr(JsonObject) after = NULL;
  g_autoptr(GBytes) note_before = NULL;
  g_autoptr(GBytes) note_after = NULL;

  enroll (node, patient);
  grant = tx_make_grant (patient, "gp-one", ALL_TREAT, CW_PURPOSE_TREAT);
  grant_env = tx_sign (grant, patient->key);
  before = tx_post_expect (node, grant_env, 200, NULL);
  tx_patient_advance (patient, grant);
  note_before = tx_get_ok (node, "/log/checkpoint");

  tx_node_stop (node);
  tx_node_start (node);

  note_after = tx_get_ok (node, "/log/checkpoint");
  g_assert_true (g_bytes_equal (note_before, note_after));
  after = tx_post_expect (node, grant_env, 200, NULL);
  g_assert_cmpstr (json_object_get_string_member (after, "proof"), ==,
                   json_object_get_string_member (before, "proof"));
  {
    g_autoptr(CwTx) next = tx_make_grant (patient, "lab-two", ALL_TREAT, CW_PURPOSE_TREAT);
    g_autoptr(JsonObject) receipt = tx_submit_ok (node, next, patient->key);

    g_assert_cmpint (json_object_get_int_member (receipt, "index"), ==, 2);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/node/tx/chain", Fixture, NULL, fixture_setup, test_chain, fixture_teardown);
  g_test_add ("/node/tx/enroll-refused", Fixture, NULL, fixture_setup, test_enroll_refused,
              fixture_teardown);
  g_test_add ("/node/tx/grant-refused", Fixture, NULL, fixture_setup, test_grant_refused,
              fixture_teardown);
  g_test_add ("/node/tx/access", Fixture, NULL, fixture_setup, test_access, fixture_teardown);
  g_test_add ("/node/tx/request-deny", Fixture, NULL, fixture_setup, test_request_deny,
              fixture_teardown);
  g_test_add ("/node/tx/rotate", Fixture, NULL, fixture_setup, test_rotate, fixture_teardown);
  g_test_add ("/node/tx/concurrency", Fixture, NULL, fixture_setup, test_concurrency,
              fixture_teardown);
  g_test_add ("/node/tx/tiles-and-proofs", Fixture, NULL, fixture_setup, test_tiles_and_proofs,
              fixture_teardown);
  g_test_add ("/node/tx/restart", Fixture, NULL, fixture_setup, test_restart, fixture_teardown);

  return g_test_run ();
}

/* test-node-reads.c: the authenticated reads over HTTPS against the real
 * consent-node: a patient's chain, active grants, pending requests, access
 * events and GET /v1/tx/<id>, each item's proof checked against the
 * returned checkpoint with the log key, and pagination. */
#include "config.h"

#include <string.h>

#include "cw-encoding.h"
#include "cw-merkle.h"
#include "cw-tlog-proof.h"
#include "node-test-tx.h"

#define SCOPES (CW_SCOPE_SUMMARY | CW_SCOPE_ALLERGIES)

typedef struct
{
  TxNode node;
  TxPatient *patient;
  char *pid;           /* base64url, as in paths */
} Fixture;

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
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  tx_node_setup (&fixture->node);
  tx_node_start (&fixture->node);
  fixture->patient = tx_patient_new ();
  fixture->pid = cw_base64url_encode (fixture->patient->id, CW_PUBLIC_KEY_SIZE);
  enroll (&fixture->node, fixture->patient);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_clear_pointer (&fixture->patient, tx_patient_free);
  g_free (fixture->pid);
  tx_node_teardown (&fixture->node);
}

/* A grant by the patient, submitted; its ID in @out_id. */
static void
grant (Fixture    *fixture,
       const char *provider,
       guint8     *out_id)
{
  g_autoptr(CwTx) tx = tx_make_grant (fixture->patient, provider, SCOPES, CW_PURPOSE_TREAT);
  g_autoptr(JsonObject) receipt = tx_submit_ok (&fixture->node, tx, fixture->patient->key);

  tx_patient_advance (fixture->patient, tx);
  if (out_id != NULL)
    cw_tx_compute_id (tx, out_id);
}

static char *
patient_path (Fixture    *fixture,
              const char *list,
              const char *query)
{
  return g_strdup_printf ("/v1/patients/%s/%s%s%s", fixture->pid, list,
                          query != NULL ? "?" : "", query != NULL ? query : "");
}

/* GETs one page signed by the patient; checks the checkpoint and every
 * item's proof and that the envelope's payload hashes to the item's ID.
 * Appends the IDs to @ids and returns the "next" cursor, or -1. */
static gint64
get_page (Fixture    *fixture,
          const char *path,
          const char *member,
          GPtrArray  *ids,
          JsonObject **out_answer)
{
  g_autoptr(JsonObject) answer = NULL;
  guint8 root[CW_MERKLE_HASH_SIZE];
  guint64 size;
  JsonArray *items;
  gint64 next = -1;

  g_assert_cmpuint (tx_get_signed (&fixture->node, path, fixture->patient->key, &answer), ==, 200);
  tx_open_checkpoint (&fixture->node, json_object_get_string_member (answer, "checkpoint"),
                      &size, root);

  items = json_object_get_array_member (answer, member);
  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonObject *item = json_array_get_object_element (items, i);
      JsonObject *envelope = json_object_get_object_member (item, "envelope");
      g_autoptr(GBytes) payload = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *id = NULL;
      guint8 hash[CW_HASH_SIZE];

      tx_check_item_proof (item, size, root);
      payload = cw_base64_decode (json_object_get_string_member (envelope, "payload"), -1, &error);
      g_assert_no_error (error);
      cw_sha256 (g_bytes_get_data (payload, NULL), g_bytes_get_size (payload), hash);
      id = cw_base64_encode (hash, sizeof hash);
      g_assert_cmpstr (id, ==, json_object_get_string_member (item, "id"));
      g_ptr_array_add (ids, g_strdup (id));
    }

  if (!json_object_get_null_member (answer, "next"))
    next = json_object_get_int_member (answer, "next");
  if (out_answer != NULL)
    *out_answer = g_steal_pointer (&answer);

  return next;
}

/* Asserts that @ids holds each ID once. */
static void
assert_unique (GPtrArray *ids)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < ids->len; i++)
    g_assert_true (g_hash_table_add (seen, g_ptr_array_index (ids, i)));
}

static void
test_chain (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) paged = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(JsonObject) answer = NULL;
  g_autofree char *path = patient_path (fixture, "chain", NULL);
  g_autofree char *head = NULL;
  JsonObject *head_object;
  JsonArray *items;
  gint64 next = 0;

  for (guint i = 0; i < 4; i++)
    grant (fixture, "gp-one", NULL);
  head = cw_base64_encode (fixture->patient->head, CW_TX_ID_SIZE);

  g_assert_cmpint (get_page (fixture, path, "transactions", all, &answer), ==, -1);
  g_assert_cmpuint (all->len, ==, 5);
  head_object = json_object_get_object_member (answer, "head");
  g_assert_cmpint (json_object_get_int_member (head_object, "seq"), ==, 4);
  g_assert_cmpstr (json_object_get_string_member (head_object, "id"), ==, head);
  items = json_object_get_array_member (answer, "transactions");
  for (guint i = 0; i < json_array_get_length (items); i++)
    g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (items, i), "seq"),
                     ==, i);

  /* Pages of two: from=0, 2, 4, then no more. */
  for (guint pages = 0; next >= 0; pages++)
    {
      g_autofree char *query = g_strdup_printf ("from=%" G_GINT64_FORMAT "&limit=2", next);
      g_autofree char *page = patient_path (fixture, "chain", query);

      g_assert_cmpuint (pages, <, 3);
      next = get_page (fixture, page, "transactions", paged, NULL);
    }
  g_assert_cmpuint (paged->len, ==, all->len);
  for (guint i = 0; i < all->len; i++)
    g_assert_cmpstr (g_ptr_array_index (paged, i), ==, g_ptr_array_index (all, i));
  assert_unique (paged);
}

static void
test_grants (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) paged = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *path = patient_path (fixture, "grants", NULL);
  g_autofree char *revoked_id = NULL;
  guint8 ids[3][CW_TX_ID_SIZE];
  g_autoptr(CwTx) revoke = NULL;
  g_autoptr(JsonObject) receipt = NULL;
  g_autoptr(GError) error = NULL;
  CwTxCommon common;
  gint64 next = -1;

  for (guint i = 0; i < 3; i++)
    grant (fixture, i == 1 ? "lab-two" : "gp-one", ids[i]);

  common = tx_patient_next (fixture->patient, NULL);
  revoke = cw_tx_new_revoke (&common, ids[1], &error);
  g_assert_no_error (error);
  receipt = tx_submit_ok (&fixture->node, revoke, fixture->patient->key);
  tx_patient_advance (fixture->patient, revoke);

  g_assert_cmpint (get_page (fixture, path, "grants", all, NULL), ==, -1);
  g_assert_cmpuint (all->len, ==, 2);
  revoked_id = cw_base64_encode (ids[1], CW_TX_ID_SIZE);
  for (guint i = 0; i < all->len; i++)
    g_assert_cmpstr (g_ptr_array_index (all, i), !=, revoked_id);

  /* One at a time with after=, each exactly once. */
  do
    {
      g_autofree char *query = next < 0 ? g_strdup ("limit=1")
                                        : g_strdup_printf ("after=%" G_GINT64_FORMAT "&limit=1",
                                                           next);
      g_autofree char *page = patient_path (fixture, "grants", query);

      g_assert_cmpuint (paged->len, <=, all->len);
      next = get_page (fixture, page, "grants", paged, NULL);
    }
  while (next >= 0);
  g_assert_cmpuint (paged->len, ==, all->len);
  assert_unique (paged);
}

static CwTx *
make_request (TxPatient *patient)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) expires = g_date_time_add_days (now, 1);
  g_autoptr(GError) error = NULL;
  CwTxCommon common = { patient->id, 0, NULL, NULL, NULL };
  CwTx *tx;

  tx = cw_tx_new_request (&common, "lab-two", SCOPES, CW_PURPOSE_TREAT, CW_ACCESS_VIEW, expires,
                          "Follow-up tests", &error);
  g_assert_no_error (error);

  return tx;
}

static void
test_requests (Fixture       *fixture,
               gconstpointer  data)
{
  TxNode *node = &fixture->node;
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) after = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *path = patient_path (fixture, "requests", NULL);
  g_autoptr(CwTx) first = make_request (fixture->patient);
  g_autoptr(CwTx) second = make_request (fixture->patient);
  g_autoptr(JsonObject) r1 = tx_submit_ok (node, first, node->lab_key);
  g_autoptr(JsonObject) r2 = tx_submit_ok (node, second, node->lab_key);
  g_autoptr(CwTx) deny = NULL;
  g_autoptr(JsonObject) deny_receipt = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *second_id = cw_tx_dup_id_base64 (second);
  g_autofree char *query = NULL;
  g_autofree char *after_path = NULL;
  guint8 first_id[CW_TX_ID_SIZE];
  CwTxCommon common;

  g_assert_cmpint (get_page (fixture, path, "requests", ids, NULL), ==, -1);
  g_assert_cmpuint (ids->len, ==, 2);

  /* after= the first one's index leaves the second. */
  query = g_strdup_printf ("after=%" G_GINT64_FORMAT, json_object_get_int_member (r1, "index"));
  after_path = patient_path (fixture, "requests", query);
  g_assert_cmpint (get_page (fixture, after_path, "requests", after, NULL), ==, -1);
  g_assert_cmpuint (after->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (after, 0), ==, second_id);

  /* A denied request is no longer pending. */
  cw_tx_compute_id (first, first_id);
  common = tx_patient_next (fixture->patient, NULL);
  deny = cw_tx_new_deny (&common, first_id, &error);
  g_assert_no_error (error);
  deny_receipt = tx_submit_ok (node, deny, fixture->patient->key);
  tx_patient_advance (fixture->patient, deny);

  g_ptr_array_set_size (ids, 0);
  g_assert_cmpint (get_page (fixture, path, "requests", ids, NULL), ==, -1);
  g_assert_cmpuint (ids->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (ids, 0), ==, second_id);
}

static void
test_access (Fixture       *fixture,
             gconstpointer  data)
{
  TxNode *node = &fixture->node;
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) later = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *path = patient_path (fixture, "access", NULL);
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(CwTx) allowed = NULL;
  g_autoptr(CwTx) denied = NULL;
  g_autoptr(JsonObject) allowed_receipt = NULL;
  g_autoptr(JsonObject) denied_receipt = NULL;
  g_autofree char *query = NULL;
  g_autofree char *after_path = NULL;
  guint8 grant_id[CW_TX_ID_SIZE];
  JsonArray *events;

  grant (fixture, "gp-one", grant_id);
  allowed = tx_make_access (fixture->patient, "gp-one", grant_id, CW_SCOPE_SUMMARY,
                            CW_PURPOSE_TREAT);
  allowed_receipt = tx_submit_ok (node, allowed, node->gp_key);
  /* lab-two holds no grant: logged as denied. */
  denied = tx_make_access (fixture->patient, "lab-two", grant_id, CW_SCOPE_SUMMARY,
                           CW_PURPOSE_TREAT);
  denied_receipt = tx_submit_ok (node, denied, node->lab_key);

  g_assert_cmpint (get_page (fixture, path, "events", ids, &answer), ==, -1);
  g_assert_cmpuint (ids->len, ==, 2);
  events = json_object_get_array_member (answer, "events");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (events, 0),
                                                  "outcome"), ==, "allowed");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (events, 1),
                                                  "outcome"), ==, "denied");

  query = g_strdup_printf ("after=%" G_GINT64_FORMAT,
                           json_object_get_int_member (allowed_receipt, "index"));
  after_path = patient_path (fixture, "access", query);
  g_assert_cmpint (get_page (fixture, after_path, "events", later, NULL), ==, -1);
  g_assert_cmpuint (later->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (later, 0), ==, g_ptr_array_index (ids, 1));
}

static char *
tx_path (const guint8 *id)
{
  g_autofree char *hex = cw_hex_encode (id, CW_TX_ID_SIZE);

  return g_strconcat ("/v1/tx/", hex, NULL);
}

static void
check_tx_answer (TxNode     *node,
                 JsonObject *answer,
                 CwTx       *tx)
{
  g_autoptr(CwTlogProof) proof = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = cw_tx_dup_id_base64 (tx);
  guint8 tx_id[CW_TX_ID_SIZE];
  guint8 leaf[CW_MERKLE_HASH_SIZE];
  guint8 root[CW_MERKLE_HASH_SIZE];
  guint64 size;

  g_assert_cmpstr (json_object_get_string_member (answer, "id"), ==, id);
  g_assert_cmpstr (json_object_get_string_member (answer, "status"), ==, "logged");
  g_assert_true (json_object_has_member (answer, "envelope"));
  proof = cw_tlog_proof_parse (json_object_get_string_member (answer, "proof"), -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (proof->index, ==, json_object_get_int_member (answer, "index"));
  tx_open_checkpoint (node, proof->checkpoint, &size, root);
  cw_tx_compute_id (tx, tx_id);
  cw_merkle_hash_leaf (tx_id, sizeof tx_id, leaf);
  cw_merkle_verify_inclusion (proof->index, size, leaf, root, proof->proof, &error);
  g_assert_no_error (error);
}

static void
test_tx (Fixture       *fixture,
         gconstpointer  data)
{
  TxNode *node = &fixture->node;
  g_autoptr(CwTx) tx = tx_make_grant (fixture->patient, "gp-one", SCOPES, CW_PURPOSE_TREAT);
  g_autoptr(JsonObject) receipt = tx_submit_ok (node, tx, fixture->patient->key);
  g_autoptr(CwTx) access = NULL;
  g_autoptr(JsonObject) access_receipt = NULL;
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(JsonObject) by_gp = NULL;
  g_autoptr(JsonObject) by_lab = NULL;
  g_autoptr(JsonObject) access_answer = NULL;
  g_autoptr(JsonObject) missing = NULL;
  g_autoptr(JsonObject) bad_query = NULL;
  g_autofree char *path = NULL;
  g_autofree char *access_path = NULL;
  g_autofree char *missing_path = NULL;
  g_autofree char *query_path = NULL;
  guint8 id[CW_TX_ID_SIZE];
  guint8 unknown[CW_TX_ID_SIZE] = { 0 };

  tx_patient_advance (fixture->patient, tx);
  cw_tx_compute_id (tx, id);
  path = tx_path (id);

  /* The patient, and the provider the grant names. */
  g_assert_cmpuint (tx_get_signed (node, path, fixture->patient->key, &answer), ==, 200);
  check_tx_answer (node, answer, tx);
  g_assert_false (json_object_has_member (answer, "outcome"));
  g_assert_cmpuint (tx_get_signed (node, path, node->gp_key, &by_gp), ==, 200);
  check_tx_answer (node, by_gp, tx);

  /* A provider it does not name. */
  g_assert_cmpuint (tx_get_signed (node, path, node->lab_key, &by_lab), ==, 403);
  tx_expect_error (by_lab, "forbidden");

  /* An access event carries its outcome. */
  access = tx_make_access (fixture->patient, "gp-one", id, CW_SCOPE_SUMMARY, CW_PURPOSE_TREAT);
  access_receipt = tx_submit_ok (node, access, node->gp_key);
  cw_tx_compute_id (access, id);
  access_path = tx_path (id);
  g_assert_cmpuint (tx_get_signed (node, access_path, node->gp_key, &access_answer), ==, 200);
  check_tx_answer (node, access_answer, access);
  g_assert_cmpstr (json_object_get_string_member (access_answer, "outcome"), ==, "allowed");

  /* Not logged. */
  missing_path = tx_path (unknown);
  g_assert_cmpuint (tx_get_signed (node, missing_path, fixture->patient->key, &missing), ==, 404);
  tx_expect_error (missing, "not_found");

  query_path = g_strconcat (path, "?x=1", NULL);
  g_assert_cmpuint (tx_get_signed (node, query_path, fixture->patient->key, &bad_query), ==, 400);
  tx_expect_error (bad_query, "invalid_query");
}

static void
test_bad_queries (Fixture       *fixture,
                  gconstpointer  data)
{
  /* The last three were once read through libsoup's decoded table, which
   * keeps one of a repeated parameter and drops a pair without "="
   * (node/cw-node-query.c). */
  const char *queries[] = { "from=-1", "from=01", "limit=0", "limit=1001", "after=1", "x=1",
                            "from=1&limit=abc", "from=1&from=2", "from=1&",
                            "limit=1&limit=2" };

  for (guint i = 0; i < G_N_ELEMENTS (queries); i++)
    {
      g_autofree char *path = patient_path (fixture, "chain", queries[i]);
      g_autoptr(JsonObject) answer = NULL;

      g_test_message ("chain?%s", queries[i]);
      g_assert_cmpuint (tx_get_signed (&fixture->node, path, fixture->patient->key, &answer),
                        ==, 400);
      tx_expect_error (answer, "invalid_query");
    }

  /* GUri normalizes an escaped unreserved character on the way, so the
   * signed @query no longer matches what arrives: refused before reading. */
  {
    g_autofree char *path = patient_path (fixture, "chain", "from=%31");
    g_autoptr(JsonObject) answer = NULL;

    g_assert_cmpuint (tx_get_signed (&fixture->node, path, fixture->patient->key, &answer),
                      ==, 401);
  }

  {
    g_autofree char *path = g_strdup_printf ("/v1/patients/%s/everything", fixture->pid);
    g_autoptr(JsonObject) answer = NULL;

    g_assert_cmpuint (tx_get_signed (&fixture->node, path, fixture->patient->key, &answer),
                      ==, 404);
    tx_expect_error (answer, "not_found");
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/node/reads/chain", Fixture, NULL, fixture_setup, test_chain, fixture_teardown);
  g_test_add ("/node/reads/grants", Fixture, NULL, fixture_setup, test_grants, fixture_teardown);
  g_test_add ("/node/reads/requests", Fixture, NULL, fixture_setup, test_requests,
              fixture_teardown);
  g_test_add ("/node/reads/access", Fixture, NULL, fixture_setup, test_access, fixture_teardown);
  g_test_add ("/node/reads/tx", Fixture, NULL, fixture_setup, test_tx, fixture_teardown);
  g_test_add ("/node/reads/bad-queries", Fixture, NULL, fixture_setup, test_bad_queries,
              fixture_teardown);

  return g_test_run ();
}

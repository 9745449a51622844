/* test-malicious-node.c: a lying consortium node (issue 4, "Malicious
 * node"). A real consent-node over HTTPS, with an in-process proxy that
 * rewrites its answers, or with its data directory swapped between runs,
 * plays each lie: forged grant, hidden revoke, dropped transaction,
 * reordered chain, forked log, bad inclusion proof, missing witness quorum,
 * replayed stale checkpoint, and an access event without a grant. Each must
 * raise one persistent alert of its kind with evidence, fail the sync, and
 * leave the store's accepted state as it was. */
#include "config.h"

#include <glib/gstdio.h>
#include <sodium.h>
#include <string.h>

#include "cw-encoding.h"
#include "engine-test-util.h"

typedef struct {
  EngineFixture *f;
  gboolean armed;        /* tamper only once the baseline sync is done */
  JsonNode *extra_item;  /* an item to add to a list */
  char *saved;           /* a saved answer to replay */
  JsonArray *chain;      /* the last chain answer's items (a copy) */
} Lie;

static void
lie_clear (Lie *lie)
{
  g_clear_pointer (&lie->extra_item, json_node_unref);
  g_clear_pointer (&lie->saved, g_free);
  g_clear_pointer (&lie->chain, json_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Lie, lie_clear)

/* The store's accepted state, as text to compare. */
static char *
snapshot (EngineFixture *f)
{
  CwWalletStore *store = engine_store (f);
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(CwStoreCheckpoint) checkpoint = cw_wallet_store_get_latest_checkpoint (store, NULL);
  g_autoptr(GPtrArray) txs = cw_wallet_store_list_transactions (store, TRUE, NULL);
  g_autoptr(GPtrArray) grants = cw_wallet_store_list_grants (store, NULL);
  g_autoptr(GPtrArray) events = cw_wallet_store_list_access_events (store, TRUE, NULL);
  g_autoptr(GPtrArray) requests = cw_wallet_store_list_requests (store, NULL);

  g_string_append_printf (out, "checkpoint %s\n", checkpoint != NULL ? checkpoint->note : "-");
  for (guint i = 0; i < txs->len; i++)
    {
      CwStoreTx *tx = txs->pdata[i];

      g_string_append_printf (out, "tx %s %s %" G_GINT64_FORMAT "\n", tx->id,
                              cw_store_tx_state_to_string (tx->state), tx->log_index);
    }
  for (guint i = 0; i < grants->len; i++)
    g_string_append_printf (out, "grant %s %s\n", ((CwStoreGrant *) grants->pdata[i])->id,
                            ((CwStoreGrant *) grants->pdata[i])->revoked_by);
  for (guint i = 0; i < events->len; i++)
    g_string_append_printf (out, "access %s %d\n", ((CwStoreAccessEvent *) events->pdata[i])->id,
                            ((CwStoreAccessEvent *) events->pdata[i])->allowed);
  g_string_append_printf (out, "requests %u\n", requests->len);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* Syncs expecting a lie of @kind: a verification error, one new alert of
 * that kind with evidence, and nothing accepted. */
static void
expect_lie (EngineFixture *f,
            const char    *kind)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *before = snapshot (f);
  g_autofree char *after = NULL;
  g_autoptr(GPtrArray) alerts = NULL;
  CwStoreAlert *alert;
  guint n_alerts = f->n_alerts;

  g_assert_false (engine_sync (f, &error));
  g_assert_error (error, CW_WALLET_ERROR, CW_WALLET_ERROR_VERIFICATION);
  g_test_message ("%s", error->message);
  engine_wait_alerts (f, n_alerts + 1);

  alerts = cw_wallet_store_list_alerts (engine_store (f), FALSE, NULL);
  g_assert_cmpuint (alerts->len, ==, 1);
  alert = alerts->pdata[0];
  g_assert_cmpstr (alert->kind, ==, kind);
  g_assert_nonnull (alert->evidence);
  g_assert_nonnull (strstr (g_bytes_get_data (alert->evidence, NULL), "\"kind\""));

  after = snapshot (f);
  g_assert_cmpstr (after, ==, before);
}

static void
baseline_sync (EngineFixture *f)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (engine_sync (f, &error));
  g_assert_no_error (error);
}

static JsonArray *
list_of (JsonNode   *answer,
         const char *member)
{
  return json_object_get_array_member (json_node_get_object (answer), member);
}

static char *
to_text (JsonNode *answer)
{
  return json_to_string (answer, FALSE);
}

/* Sets up a wallet with two grants behind a proxy running @tamper. */
static void
setup_lie (EngineFixture    *f,
           Lie              *lie,
           EngineTamperFunc  tamper,
           CwStoreTx       **first,
           CwStoreTx       **second)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *recovery = engine_enroll (f, &error);

  g_assert_no_error (error);
  lie->f = f;
  f->proxy = engine_proxy_start (f, tamper, lie);
  engine_use_url (f, engine_proxy_get_url (f->proxy));
  *first = engine_grant (f, "gp-one", CW_SCOPE_SUMMARY | CW_SCOPE_ALLERGIES, &error);
  g_assert_no_error (error);
  *second = engine_grant (f, "lab-two", CW_SCOPE_LAB_RESULTS, &error);
  g_assert_no_error (error);
}

/* Forged grant: another patient's grant, logged and proven, listed as ours. */
static char *
add_grant_cb (const char *path,
              const char *query,
              const char *body,
              gpointer    user_data)
{
  Lie *lie = user_data;
  g_autoptr(JsonNode) answer = json_from_string (body, NULL);

  if (!lie->armed || !g_str_has_suffix (path, "/grants"))
    return NULL;
  json_array_add_element (list_of (answer, "grants"), json_node_copy (lie->extra_item));
  return to_text (answer);
}

static void
test_forged_grant (EngineFixture *f,
                   gconstpointer  data)
{
  g_auto(Lie) lie = { 0 };
  g_autoptr(CwStoreTx) first = NULL;
  g_autoptr(CwStoreTx) second = NULL;
  g_autoptr(TxPatient) other = tx_patient_new ();
  g_autofree char *code = tx_node_invite (&f->node, "gp-one");
  g_autoptr(CwTx) enroll = tx_make_enroll (other, code, "gp-one");
  g_autoptr(CwTx) grant = NULL;
  g_autoptr(JsonObject) answer = NULL;
  g_autofree char *pid = cw_base64url_encode (other->id, sizeof other->id);
  g_autofree char *path = g_strdup_printf ("/v1/patients/%s/grants", pid);

  setup_lie (f, &lie, add_grant_cb, &first, &second);
  baseline_sync (f);

  json_object_unref (tx_submit_ok (&f->node, enroll, other->key));
  tx_patient_advance (other, enroll);
  grant = tx_make_grant (other, "gp-one", CW_SCOPE_SUMMARY, CW_PURPOSE_TREAT);
  json_object_unref (tx_submit_ok (&f->node, grant, other->key));
  g_assert_cmpuint (tx_get_signed (&f->node, path, other->key, &answer), ==, 200);
  lie.extra_item = json_node_copy (json_array_get_element (
    json_object_get_array_member (answer, "grants"), 0));
  lie.armed = TRUE;

  expect_lie (f, "forged-grant");
}

/* Chain lies: drop the revoke (and keep listing the grant), drop a grant,
 * swap two grants. */
typedef enum { CHAIN_HIDE_REVOKE, CHAIN_DROP, CHAIN_SWAP } ChainLie;

static ChainLie chain_lie;

static char *
chain_cb (const char *path,
          const char *query,
          const char *body,
          gpointer    user_data)
{
  Lie *lie = user_data;
  g_autoptr(JsonNode) answer = NULL;
  JsonObject *object;

  if (!lie->armed || !g_str_has_prefix (path, "/v1/patients/"))
    return NULL;
  answer = json_from_string (body, NULL);
  object = json_node_get_object (answer);
  if (g_str_has_suffix (path, "/chain"))
    {
      JsonArray *items = list_of (answer, "transactions");
      guint n = json_array_get_length (items);
      g_autoptr(JsonNode) a = json_node_copy (json_array_get_element (items, 1));
      g_autoptr(JsonNode) b = json_node_copy (json_array_get_element (items, 2));
      g_autoptr(JsonArray) rebuilt = json_array_new ();
      JsonObject *head = json_object_get_object_member (object, "head");

      g_clear_pointer (&lie->chain, json_array_unref);
      lie->chain = json_array_ref (items);
      for (guint i = 0; i < n; i++)
        {
          JsonNode *item = json_array_get_element (items, i);

          if ((chain_lie == CHAIN_HIDE_REVOKE && i == n - 1) || (chain_lie == CHAIN_DROP && i == 1))
            continue;
          if (chain_lie == CHAIN_SWAP && (i == 1 || i == 2))
            item = i == 1 ? b : a;
          json_array_add_element (rebuilt, json_node_copy (item));
        }
      if (chain_lie == CHAIN_HIDE_REVOKE)
        {
          JsonObject *last = json_array_get_object_element (rebuilt, json_array_get_length (rebuilt) - 1);

          json_object_set_int_member (head, "seq", json_object_get_int_member (last, "seq"));
          json_object_set_string_member (head, "id", json_object_get_string_member (last, "id"));
        }
      json_object_set_array_member (object, "transactions", json_array_ref (rebuilt));
      return to_text (answer);
    }
  if (g_str_has_suffix (path, "/grants") && chain_lie == CHAIN_HIDE_REVOKE && lie->chain != NULL)
    {
      /* The revoked grant (seq 1), listed again with its proof. */
      JsonNode *item = json_node_copy (json_array_get_element (lie->chain, 1));

      json_object_remove_member (json_node_get_object (item), "seq");
      json_array_add_element (list_of (answer, "grants"), item);
      return to_text (answer);
    }
  return NULL;
}

static void
test_chain_lie (EngineFixture *f,
                ChainLie       which,
                const char    *kind)
{
  g_auto(Lie) lie = { 0 };
  g_autoptr(CwStoreTx) first = NULL;
  g_autoptr(CwStoreTx) second = NULL;
  g_autoptr(GError) error = NULL;

  chain_lie = which;
  setup_lie (f, &lie, chain_cb, &first, &second);
  if (which == CHAIN_HIDE_REVOKE)
    {
      g_autoptr(CwStoreTx) revoked = engine_revoke (f, first->id, &error);

      g_assert_no_error (error);
    }
  baseline_sync (f);
  lie.armed = TRUE;
  expect_lie (f, kind);
}

static void
test_hidden_revoke (EngineFixture *f,
                    gconstpointer  data)
{
  test_chain_lie (f, CHAIN_HIDE_REVOKE, "hidden-revoke");
}

static void
test_dropped_transaction (EngineFixture *f,
                          gconstpointer  data)
{
  test_chain_lie (f, CHAIN_DROP, "dropped-transaction");
}

static void
test_reordered_chain (EngineFixture *f,
                      gconstpointer  data)
{
  test_chain_lie (f, CHAIN_SWAP, "reordered-chain");
}

/* Bad inclusion proof: one hash of a grant's proof changed. */
static char *
bad_proof_cb (const char *path,
              const char *query,
              const char *body,
              gpointer    user_data)
{
  Lie *lie = user_data;
  g_autoptr(JsonNode) answer = json_from_string (body, NULL);
  JsonArray *proof;
  g_autofree char *hash = NULL;

  if (!lie->armed || !g_str_has_suffix (path, "/grants"))
    return NULL;
  proof = json_object_get_array_member (json_array_get_object_element (list_of (answer, "grants"), 0),
                                        "proof");
  hash = g_strdup (json_array_get_string_element (proof, 0));
  hash[0] = hash[0] == 'A' ? 'B' : 'A';
  json_array_remove_element (proof, 0);
  json_array_add_string_element (proof, hash);
  return to_text (answer);
}

static void
test_bad_inclusion (EngineFixture *f,
                    gconstpointer  data)
{
  g_auto(Lie) lie = { 0 };
  g_autoptr(CwStoreTx) first = NULL;
  g_autoptr(CwStoreTx) second = NULL;

  setup_lie (f, &lie, bad_proof_cb, &first, &second);
  baseline_sync (f);
  lie.armed = TRUE;
  expect_lie (f, "bad-inclusion-proof");
}

/* Hidden grant: an active grant of ours left out of the grant list. */
static char *
hide_grant_cb (const char *path,
               const char *query,
               const char *body,
               gpointer    user_data)
{
  Lie *lie = user_data;
  g_autoptr(JsonNode) answer = NULL;

  if (!lie->armed || !g_str_has_suffix (path, "/grants"))
    return NULL;
  answer = json_from_string (body, NULL);
  json_array_remove_element (list_of (answer, "grants"), 0);
  return to_text (answer);
}

static void
test_hidden_grant (EngineFixture *f,
                   gconstpointer  data)
{
  g_auto(Lie) lie = { 0 };
  g_autoptr(CwStoreTx) first = NULL;
  g_autoptr(CwStoreTx) second = NULL;

  setup_lie (f, &lie, hide_grant_cb, &first, &second);
  baseline_sync (f);
  lie.armed = TRUE;
  expect_lie (f, "hidden-grant");
}

/* Replayed stale checkpoint: the checkpoint of the first sync, served
 * again after the wallet verified a newer one. */
static char *
replay_cb (const char *path,
           const char *query,
           const char *body,
           gpointer    user_data)
{
  Lie *lie = user_data;

  if (!g_str_equal (path, "/log/checkpoint"))
    return NULL;
  if (!lie->armed)
    {
      g_free (lie->saved);
      lie->saved = g_strdup (body);
      return NULL;
    }
  return g_strdup (lie->saved);
}

static void
test_stale_checkpoint (EngineFixture *f,
                       gconstpointer  data)
{
  g_auto(Lie) lie = { 0 };
  g_autoptr(CwStoreTx) first = NULL;
  g_autoptr(CwStoreTx) second = NULL;
  g_autoptr(CwStoreTx) third = NULL;
  g_autoptr(GError) error = NULL;

  setup_lie (f, &lie, replay_cb, &first, &second);
  baseline_sync (f);
  lie.armed = TRUE;
  third = engine_grant (f, "gp-one", CW_SCOPE_VITALS, &error);
  g_assert_no_error (error);
  g_assert_cmpint (third->state, ==, CW_STORE_TX_CONFIRMED);
  expect_lie (f, "stale-checkpoint");
}

/* Access event without a grant: a provider's access citing our enroll
 * transaction, which the node logged as denied, reported as allowed. */
static char *
allowed_cb (const char *path,
            const char *query,
            const char *body,
            gpointer    user_data)
{
  Lie *lie = user_data;
  g_autoptr(JsonNode) answer = NULL;
  JsonArray *events;

  if (!lie->armed || !g_str_has_suffix (path, "/access"))
    return NULL;
  answer = json_from_string (body, NULL);
  events = list_of (answer, "events");
  for (guint i = 0; i < json_array_get_length (events); i++)
    json_object_set_string_member (json_array_get_object_element (events, i), "outcome", "allowed");
  return to_text (answer);
}

static void
test_access_without_grant (EngineFixture *f,
                           gconstpointer  data)
{
  g_auto(Lie) lie = { 0 };
  g_autoptr(CwStoreTx) first = NULL;
  g_autoptr(CwStoreTx) second = NULL;
  g_autoptr(GPtrArray) txs = NULL;
  g_autofree char *outcome = NULL;

  setup_lie (f, &lie, allowed_cb, &first, &second);
  baseline_sync (f);
  txs = cw_wallet_store_list_transactions (engine_store (f), TRUE, NULL);
  outcome = engine_provider_access (f, f->node.gp_key, "gp-one",
                                    ((CwStoreTx *) txs->pdata[0])->id, CW_SCOPE_SUMMARY,
                                    CW_PURPOSE_TREAT);
  g_assert_cmpstr (outcome, ==, "denied");
  lie.armed = TRUE;
  expect_lie (f, "access-without-grant");
}

/* Missing witness quorum: the wallet wants one cosignature by a witness
 * the node does not have. */
static void
test_missing_quorum (EngineFixture *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *recovery = engine_enroll (f, &error);
  g_autoptr(CwSigningKey) witness = NULL;
  g_autofree char *witness_key = NULL;
  g_autoptr(CwNodeProfile) profile = NULL;
  const char *witnesses[2] = { NULL, NULL };

  g_assert_no_error (error);
  baseline_sync (f);
  witness = cw_signing_key_generate ("witness.test", CW_KEY_TYPE_COSIGNATURE_V1, &error);
  g_assert_no_error (error);
  witness_key = cw_verifier_key_to_string (cw_signing_key_get_verifier (witness));
  witnesses[0] = witness_key;
  profile = cw_node_profile_new (f->node.server->url, f->pin, f->log_key, witnesses, 1, &error);
  g_assert_no_error (error);
  g_assert_true (cw_wallet_store_set_node_profile (engine_store (f), profile, &error));
  expect_lie (f, "missing-quorum");
}

/* Forked log: the node restarted from an old copy of its data and signed
 * another tree of a size the wallet already verified. */
static void
copy_dir (const char *from,
          const char *to)
{
  g_autoptr(GError) error = NULL;
  int status = 0;
  const char *argv[] = { "cp", "-a", from, to, NULL };

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL,
                               NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
}

static void
test_forked_log (EngineFixture *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *recovery = engine_enroll (f, &error);
  g_autofree char *copy = g_strconcat (f->node.dir, ".copy", NULL);
  g_autoptr(CwStoreTx) first = NULL;
  g_autoptr(CwStoreTx) second = NULL;
  g_autofree char *outcome = NULL;

  g_assert_no_error (error);
  first = engine_grant (f, "gp-one", CW_SCOPE_SUMMARY, &error);
  g_assert_no_error (error);
  tx_node_stop (&f->node);
  copy_dir (f->node.dir, copy);
  tx_node_start (&f->node);
  engine_use_url (f, f->node.server->url);

  second = engine_grant (f, "lab-two", CW_SCOPE_LAB_RESULTS, &error);
  g_assert_no_error (error);
  baseline_sync (f);

  /* Back to the copy, and another entry in the place of the second grant. */
  tx_node_stop (&f->node);
  node_test_remove_tree (f->node.dir);
  g_assert_cmpint (g_rename (copy, f->node.dir), ==, 0);
  tx_node_start (&f->node);
  engine_use_url (f, f->node.server->url);
  outcome = engine_provider_access (f, f->node.gp_key, "gp-one", first->id, CW_SCOPE_SUMMARY,
                                    CW_PURPOSE_TREAT);
  g_assert_cmpstr (outcome, ==, "allowed");

  expect_lie (f, "forked-checkpoint");
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_assert_cmpint (sodium_init (), >=, 0);
  g_test_init (&argc, &argv, NULL);
  engine_test_start_keyring ();

#define ADD(path, func) \
  g_test_add ("/malicious-node/" path, EngineFixture, NULL, engine_fixture_setup, func, \
              engine_fixture_teardown)
  ADD ("forged-grant", test_forged_grant);
  ADD ("hidden-revoke", test_hidden_revoke);
  ADD ("dropped-transaction", test_dropped_transaction);
  ADD ("reordered-chain", test_reordered_chain);
  ADD ("forked-log", test_forked_log);
  ADD ("bad-inclusion-proof", test_bad_inclusion);
  ADD ("missing-quorum", test_missing_quorum);
  ADD ("stale-checkpoint", test_stale_checkpoint);
  ADD ("access-without-grant", test_access_without_grant);
  ADD ("hidden-grant", test_hidden_grant);
#undef ADD

  status = g_test_run ();
  engine_test_stop_keyring ();
  return status;
}

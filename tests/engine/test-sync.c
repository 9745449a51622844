/* test-sync.c: CwWallet's sync against a real consent-node over HTTPS and
 * a real gnome-keyring: after enroll, grants, a revoke and provider access
 * (allowed and denied); across more than one page of access events; a
 * second sync that asks only for what is new; and after an offline period
 * with queued transactions. Also the list models it feeds. */
#include "config.h"

#include <sodium.h>
#include <string.h>

#include "cw-activity-item.h"
#include "cw-grant-item.h"
#include "engine-test-util.h"

static guint
count_state (GListModel *model,
             const char *state)
{
  guint n = 0;

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (model, i);
      g_autofree char *value = NULL;

      g_object_get (item, "state", &value, NULL);
      n += g_strcmp0 (value, state) == 0;
    }
  return n;
}

/* Runs the main context until @model has @n items. */
static void
wait_n_items (GListModel *model,
              guint       n)
{
  while (g_list_model_get_n_items (model) != n)
    g_main_context_iteration (NULL, TRUE);
}

static void
test_sync_basic (EngineFixture *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *recovery = engine_enroll (f, &error);
  g_autoptr(CwStoreTx) first = NULL;
  g_autoptr(CwStoreTx) second = NULL;
  g_autoptr(CwStoreTx) revoked = NULL;
  g_autofree char *allowed = NULL;
  g_autofree char *denied = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(CwStoreCheckpoint) checkpoint = NULL;
  g_autoptr(GObject) kept = NULL;
  GListModel *grants, *activity;
  CwWalletStore *store = engine_store (f);

  g_assert_no_error (error);
  grants = cw_wallet_get_grants (f->wallet);
  activity = cw_wallet_get_activity (f->wallet);
  g_assert_true (engine_sync (f, &error));
  g_assert_no_error (error);

  first = engine_grant (f, "gp-one", CW_SCOPE_SUMMARY | CW_SCOPE_ALLERGIES, &error);
  g_assert_no_error (error);
  second = engine_grant (f, "lab-two", CW_SCOPE_LAB_RESULTS, &error);
  g_assert_no_error (error);
  revoked = engine_revoke (f, first->id, &error);
  g_assert_no_error (error);

  allowed = engine_provider_access (f, f->node.lab_key, "lab-two", second->id,
                                    CW_SCOPE_LAB_RESULTS, CW_PURPOSE_TREAT);
  g_assert_cmpstr (allowed, ==, "allowed");
  denied = engine_provider_access (f, f->node.gp_key, "gp-one", first->id, CW_SCOPE_SUMMARY,
                                   CW_PURPOSE_TREAT);
  g_assert_cmpstr (denied, ==, "denied");

  wait_n_items (grants, 2);
  kept = g_list_model_get_item (grants, 0);
  g_assert_true (engine_sync (f, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (f->n_alerts, ==, 0);

  events = cw_wallet_store_list_access_events (store, TRUE, &error);
  g_assert_cmpuint (events->len, ==, 2);
  g_assert_true (((CwStoreAccessEvent *) events->pdata[0])->allowed);
  g_assert_false (((CwStoreAccessEvent *) events->pdata[1])->allowed);
  g_assert_true (g_str_has_prefix (((CwStoreAccessEvent *) events->pdata[0])->receipt,
                                   "c2sp.org/tlog-proof@v1\n"));
  /* The receipts, stored as proof and note, read back as bundles that
   * prove each event against a checkpoint the log key signed. */
  {
    guint n_checked = 0;

    g_assert_true (engine_verify (f, &n_checked, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (n_checked, >=, 2);
    g_assert_cmpuint (f->n_alerts, ==, 0);
  }
  checkpoint = cw_wallet_store_get_latest_checkpoint (store, &error);
  g_assert_cmpuint (checkpoint->size, ==, 6);

  /* Models: 2 grants (one revoked), activity = 4 own + 2 access. */
  wait_n_items (activity, 6);
  g_assert_cmpuint (g_list_model_get_n_items (grants), ==, 2);
  g_assert_cmpuint (count_state (grants, "revoked"), ==, 1);
  g_assert_cmpuint (count_state (grants, "active"), ==, 1);
  g_assert_cmpuint (count_state (activity, "allowed"), ==, 1);
  g_assert_cmpuint (count_state (activity, "denied"), ==, 1);
  {
    /* The same item object, kept across refreshes. */
    g_autoptr(GObject) again = g_list_model_get_item (grants, 0);

    g_assert_true (again == kept);
  }
}

static void
test_sync_pagination (EngineFixture *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *recovery = engine_enroll (f, &error);
  g_autoptr(CwStoreTx) granted = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GPtrArray) queries = NULL;
  const guint n = 1105;

  g_assert_no_error (error);
  granted = engine_grant (f, "lab-two", CW_SCOPE_LAB_RESULTS, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *outcome = engine_provider_access (f, f->node.lab_key, "lab-two", granted->id,
                                                         CW_SCOPE_LAB_RESULTS, CW_PURPOSE_TREAT);

      g_assert_cmpstr (outcome, ==, "allowed");
    }

  f->proxy = engine_proxy_start (f, NULL, NULL);
  engine_use_url (f, engine_proxy_get_url (f->proxy));
  g_assert_true (engine_sync (f, &error));
  g_assert_no_error (error);
  events = cw_wallet_store_list_access_events (engine_store (f), TRUE, &error);
  g_assert_cmpuint (events->len, ==, n);
  queries = engine_proxy_get_queries (f->proxy, "/access");
  g_assert_cmpuint (queries->len, ==, 2);
  g_assert_cmpuint (f->n_alerts, ==, 0);
}

static void
test_sync_incremental (EngineFixture *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *recovery = engine_enroll (f, &error);
  g_autoptr(CwStoreTx) granted = NULL;
  g_autoptr(GPtrArray) queries = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autofree char *expected = NULL;
  gint64 last;

  g_assert_no_error (error);
  granted = engine_grant (f, "lab-two", CW_SCOPE_LAB_RESULTS, &error);
  g_assert_no_error (error);
  g_free (engine_provider_access (f, f->node.lab_key, "lab-two", granted->id,
                                  CW_SCOPE_LAB_RESULTS, CW_PURPOSE_TREAT));

  f->proxy = engine_proxy_start (f, NULL, NULL);
  engine_use_url (f, engine_proxy_get_url (f->proxy));
  g_assert_true (engine_sync (f, &error));
  g_assert_no_error (error);
  last = cw_wallet_store_get_last_access_index (engine_store (f), &error);
  g_assert_cmpint (last, ==, 2);

  g_free (engine_provider_access (f, f->node.lab_key, "lab-two", granted->id,
                                  CW_SCOPE_LAB_RESULTS, CW_PURPOSE_TREAT));
  g_assert_true (engine_sync (f, &error));
  g_assert_no_error (error);

  /* The first sync asked for all, the second only after the last seen. */
  queries = engine_proxy_get_queries (f->proxy, "/access");
  g_assert_cmpuint (queries->len, ==, 2);
  g_assert_cmpstr (queries->pdata[0], ==, "");
  expected = g_strdup_printf ("after=%" G_GINT64_FORMAT, last);
  g_assert_cmpstr (queries->pdata[1], ==, expected);
  events = cw_wallet_store_list_access_events (engine_store (f), TRUE, &error);
  g_assert_cmpuint (events->len, ==, 2);
}

static void
test_sync_offline (EngineFixture *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *recovery = engine_enroll (f, &error);
  g_autoptr(CwStoreTx) queued = NULL;
  g_autoptr(CwStoreTx) after = NULL;
  CwWalletStore *store = engine_store (f);

  g_assert_no_error (error);
  g_assert_true (engine_sync (f, &error));
  tx_node_stop (&f->node);

  queued = engine_grant (f, "gp-one", CW_SCOPE_SUMMARY, &error);
  g_assert_no_error (error);
  g_assert_cmpint (queued->state, !=, CW_STORE_TX_CONFIRMED);
  g_assert_false (engine_sync (f, &error));
  g_assert_error (error, CW_NODE_CLIENT_ERROR, CW_NODE_CLIENT_ERROR_UNREACHABLE);
  g_clear_error (&error);

  /* Back, on a new port: the queued grant is not on the node yet, which is
   * no lie; once flushed the next sync confirms it all. */
  tx_node_start (&f->node);
  engine_use_url (f, f->node.server->url);
  g_assert_true (engine_sync (f, &error));
  g_assert_no_error (error);
  after = cw_wallet_store_get_transaction (store, queued->id, &error);
  g_assert_cmpint (after->state, !=, CW_STORE_TX_CONFIRMED);
  g_clear_pointer (&after, cw_store_tx_free);

  g_assert_cmpuint (engine_flush (f, &error), ==, 1);
  g_assert_no_error (error);
  g_assert_true (engine_sync (f, &error));
  g_assert_no_error (error);
  after = cw_wallet_store_get_transaction (store, queued->id, &error);
  g_assert_cmpint (after->state, ==, CW_STORE_TX_CONFIRMED);
  g_assert_cmpuint (f->n_alerts, ==, 0);
}

/* Answers every checkpoint request with 300 KB: more than any checkpoint
 * can be (the client's cap for small answers is 256 KiB). */
static char *
oversized_checkpoint (const char *path,
                      const char *query,
                      const char *body,
                      gpointer    user_data)
{
  gboolean *oversize = user_data;

  if (!*oversize || !g_str_equal (path, "/log/checkpoint"))
    return NULL;
  return g_strnfill (300 * 1024, 'x');
}

/* An answer over its cap is refused whether the node announces its length
 * or sends it in chunks, and the sync changes nothing. A normal answer in
 * chunks is read whole. */
static void
test_sync_oversized_answer (EngineFixture *f,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *recovery = engine_enroll (f, &error);
  g_autoptr(CwStoreTx) granted = NULL;
  g_autoptr(CwStoreCheckpoint) before = NULL;
  g_autoptr(CwStoreCheckpoint) after = NULL;
  g_autoptr(GPtrArray) events = NULL;
  gboolean oversize = FALSE;
  CwWalletStore *store = engine_store (f);

  g_assert_no_error (error);
  f->proxy = engine_proxy_start (f, oversized_checkpoint, &oversize);
  engine_use_url (f, engine_proxy_get_url (f->proxy));
  engine_proxy_set_chunked (f->proxy, TRUE);
  g_assert_true (engine_sync (f, &error));
  g_assert_no_error (error);

  granted = engine_grant (f, "lab-two", CW_SCOPE_LAB_RESULTS, &error);
  g_assert_no_error (error);
  g_free (engine_provider_access (f, f->node.lab_key, "lab-two", granted->id,
                                  CW_SCOPE_LAB_RESULTS, CW_PURPOSE_TREAT));
  before = cw_wallet_store_get_latest_checkpoint (store, &error);
  g_assert_no_error (error);
  oversize = TRUE;
  for (guint chunked = 0; chunked < 2; chunked++)
    {
      engine_proxy_set_chunked (f->proxy, chunked);
      g_assert_false (engine_sync (f, &error));
      g_assert_error (error, CW_NODE_CLIENT_ERROR, CW_NODE_CLIENT_ERROR_TOO_LARGE);
      g_clear_error (&error);
      after = cw_wallet_store_get_latest_checkpoint (store, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (after->size, ==, before->size);
      g_assert_cmpstr (after->note, ==, before->note);
      g_clear_pointer (&after, cw_store_checkpoint_free);
    }
  events = cw_wallet_store_list_access_events (store, TRUE, &error);
  g_assert_cmpuint (events->len, ==, 0);
  g_clear_pointer (&events, g_ptr_array_unref);
  g_assert_cmpuint (f->n_alerts, ==, 0);

  /* The node's real answers, in chunks again: the access event is in. */
  oversize = FALSE;
  engine_proxy_set_chunked (f->proxy, TRUE);
  g_assert_true (engine_sync (f, &error));
  g_assert_no_error (error);
  events = cw_wallet_store_list_access_events (store, TRUE, &error);
  g_assert_cmpuint (events->len, ==, 1);
}

static void
count_request_cb (SoupServer        *server,
                  SoupServerMessage *msg,
                  const char        *path,
                  GHashTable        *query,
                  gpointer           user_data)
{
  (*(guint *) user_data)++;
  soup_server_message_set_status (msg, 200, NULL);
}

/* A node that redirects, here to plain http:// on loopback, is not
 * followed: no signed read leaves in the clear, the sync fails with a
 * clear error and changes nothing. */
static void
test_sync_redirect_refused (EngineFixture *f,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *recovery = engine_enroll (f, &error);
  g_autoptr(SoupServer) plain = soup_server_new (NULL, NULL);
  g_autoptr(GSList) uris = NULL;
  g_autofree char *plain_url = NULL;
  g_autoptr(CwStoreCheckpoint) before = NULL;
  g_autoptr(CwStoreCheckpoint) after = NULL;
  guint n_plain = 0;

  g_assert_no_error (error);
  g_assert_true (engine_sync (f, &error));
  g_assert_no_error (error);
  before = cw_wallet_store_get_latest_checkpoint (engine_store (f), &error);
  g_assert_no_error (error);

  soup_server_add_handler (plain, NULL, count_request_cb, &n_plain, NULL);
  soup_server_listen_local (plain, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (plain);
  plain_url = g_uri_to_string (uris->data);
  g_slist_free_full (g_steal_pointer (&uris), (GDestroyNotify) g_uri_unref);

  f->proxy = engine_proxy_start (f, NULL, NULL);
  engine_use_url (f, engine_proxy_get_url (f->proxy));
  engine_proxy_set_redirect (f->proxy, plain_url);
  g_assert_false (engine_sync (f, &error));
  g_test_message ("%s", error->message);
  g_assert_error (error, CW_NODE_CLIENT_ERROR, CW_NODE_CLIENT_ERROR_MALFORMED_RESPONSE);
  g_assert_nonnull (strstr (error->message, "redirect"));
  g_clear_error (&error);
  g_assert_cmpuint (n_plain, ==, 0);
  after = cw_wallet_store_get_latest_checkpoint (engine_store (f), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (after->note, ==, before->note);
  g_assert_cmpuint (f->n_alerts, ==, 0);
  soup_server_disconnect (plain);
}

/* A node that drips its answer, each byte well within the read timeout,
 * is cut off at the request's deadline instead of holding the wallet for
 * as long as it likes. (Without the deadline the 40 bytes arrive in 20 s
 * and the sync fails on them as malformed, not as timed out.) */
static void
test_sync_deadline (EngineFixture *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *recovery = engine_enroll (f, &error);

  g_assert_no_error (error);
  f->proxy = engine_proxy_start (f, NULL, NULL);
  engine_use_url (f, engine_proxy_get_url (f->proxy));
  engine_proxy_set_drip (f->proxy, TRUE);
  cw_wallet_set_request_deadline (f->wallet, 2);
  g_assert_false (engine_sync (f, &error));
  g_test_message ("%s", error->message);
  g_assert_error (error, CW_NODE_CLIENT_ERROR, CW_NODE_CLIENT_ERROR_TIMEOUT);
  g_clear_error (&error);

  /* The same node answering again: the sync goes through. */
  engine_proxy_set_drip (f->proxy, FALSE);
  g_assert_true (engine_sync (f, &error));
  g_assert_no_error (error);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_assert_cmpint (sodium_init (), >=, 0);
  g_test_init (&argc, &argv, NULL);
  engine_test_start_keyring ();

  g_test_add ("/sync/basic", EngineFixture, NULL, engine_fixture_setup, test_sync_basic,
              engine_fixture_teardown);
  g_test_add ("/sync/pagination", EngineFixture, NULL, engine_fixture_setup,
              test_sync_pagination, engine_fixture_teardown);
  g_test_add ("/sync/incremental", EngineFixture, NULL, engine_fixture_setup,
              test_sync_incremental, engine_fixture_teardown);
  g_test_add ("/sync/redirect-refused", EngineFixture, NULL, engine_fixture_setup,
              test_sync_redirect_refused, engine_fixture_teardown);
  g_test_add ("/sync/deadline", EngineFixture, NULL, engine_fixture_setup, test_sync_deadline,
              engine_fixture_teardown);
  g_test_add ("/sync/oversized-answer", EngineFixture, NULL, engine_fixture_setup,
              test_sync_oversized_answer, engine_fixture_teardown);
  g_test_add ("/sync/offline", EngineFixture, NULL, engine_fixture_setup, test_sync_offline,
              engine_fixture_teardown);

  status = g_test_run ();
  engine_test_stop_keyring ();
  return status;
}

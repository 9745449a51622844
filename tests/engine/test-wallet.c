/* test-wallet.c: CwWallet end to end against a real consent-node over
 * HTTPS (tests/node helpers) and a real gnome-keyring on a private session
 * bus: enroll, grant, revoke with verified receipts; the offline outbox and
 * its ordered flush; a wrong TLS pin; and a tampering HTTPS proxy whose bad
 * receipt raises an alert and confirms nothing. */
#include "config.h"

#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <sodium.h>
#include <string.h>

#include "cw-recovery-code.h"
#include "cw-tls-pin.h"
#include "cw-wallet.h"
#include "engine-test-util.h"
#include "node-test-tx.h"

typedef struct {
  TxNode node;
  char *pin;
  char *log_key;
  char *store_path;
  CwKeyring *keyring;
  CwWallet *wallet;
  guint n_alerts;
} Fixture;

static void
alert_raised_cb (CwWallet   *wallet,
                 gint64      id,
                 const char *kind,
                 const char *message,
                 Fixture    *f)
{
  g_test_message ("alert %s: %s", kind, message);
  f->n_alerts++;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsCertificate) cert = NULL;

  tx_node_setup (&f->node);
  tx_node_start (&f->node);
  cert = g_tls_certificate_new_from_file (f->node.cert_path, &error);
  g_assert_no_error (error);
  f->pin = cw_tls_pin_for_certificate (cert, &error);
  g_assert_no_error (error);
  f->log_key = cw_verifier_key_to_string (f->node.log_key);
  f->store_path = g_build_filename (f->node.tmpdir, "wallet", "wallet.db", NULL);
  f->keyring = cw_keyring_new (NULL);
  f->wallet = cw_wallet_new (f->store_path, f->keyring, CW_NODE_CLIENT_FLAGS_NONE, &error);
  g_assert_no_error (error);
  cw_wallet_set_max_retries (f->wallet, 0);
  g_signal_connect (f->wallet, "alert-raised", G_CALLBACK (alert_raised_cb), f);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->wallet);
  g_clear_object (&f->keyring);
  g_free (f->pin);
  g_free (f->log_key);
  g_free (f->store_path);
  tx_node_teardown (&f->node);
}

static void
done_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
wait_for (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static CwNodeProfile *
profile_for (Fixture    *f,
             const char *url,
             const char *pin)
{
  g_autoptr(GError) error = NULL;
  CwNodeProfile *profile = cw_node_profile_new (url, pin, f->log_key, NULL, 0, &error);

  g_assert_no_error (error);
  return profile;
}

static char *
enroll (Fixture  *f,
        const char *pin,
        GError  **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(CwNodeProfile) profile = profile_for (f, f->node.server->url, pin);
  g_autofree char *code = tx_node_invite (&f->node, "gp-one");

  cw_wallet_enroll_async (f->wallet, profile, "gp-one", code, NULL, done_cb, &result);
  return cw_wallet_enroll_finish (f->wallet, wait_for (&result), error);
}

static CwStoreTx *
grant (Fixture  *f,
       GError  **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) expires = g_date_time_add_days (now, 30);
  CwWalletGrantParams params = { "gp-one", CW_SCOPE_SUMMARY | CW_SCOPE_ALLERGIES,
                                 CW_PURPOSE_TREAT, CW_ACCESS_VIEW, NULL, NULL, expires, NULL };

  cw_wallet_grant_async (f->wallet, &params, NULL, done_cb, &result);
  return cw_wallet_transaction_finish (f->wallet, wait_for (&result), error);
}

static void
test_enroll_grant_revoke (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *recovery = enroll (f, f->pin, &error);
  g_autoptr(CwStoreTx) granted = NULL;
  g_autoptr(CwStoreTx) revoked = NULL;
  g_autoptr(CwStoreGrant) stored_grant = NULL;
  g_autoptr(CwStoreCheckpoint) checkpoint = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *fhir = NULL;
  CwWalletStore *store;

  g_assert_no_error (error);
  g_assert_nonnull (recovery);
  g_assert_cmpuint (strlen (recovery), ==, CW_RECOVERY_CODE_LENGTH);
  g_assert_true (cw_wallet_get_enrolled (f->wallet));

  granted = grant (f, &error);
  g_assert_no_error (error);
  g_assert_cmpint (granted->state, ==, CW_STORE_TX_CONFIRMED);
  g_assert_cmpint (granted->log_index, ==, 1);
  g_assert_true (g_str_has_prefix (granted->receipt, "c2sp.org/tlog-proof@v1\n"));

  store = cw_wallet_get_store (f->wallet);
  stored_grant = cw_wallet_store_get_grant (store, granted->id, &error);
  g_assert_no_error (error);
  g_assert_nonnull (stored_grant);
  g_assert_null (stored_grant->revoked_by);

  cw_wallet_revoke_async (f->wallet, granted->id, NULL, done_cb, &result);
  revoked = cw_wallet_transaction_finish (f->wallet, wait_for (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpint (revoked->state, ==, CW_STORE_TX_CONFIRMED);
  g_assert_cmpuint (revoked->seq, ==, 2);
  g_clear_pointer (&stored_grant, cw_store_grant_free);
  stored_grant = cw_wallet_store_get_grant (store, granted->id, &error);
  g_assert_cmpstr (stored_grant->revoked_by, ==, revoked->id);

  checkpoint = cw_wallet_store_get_latest_checkpoint (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (checkpoint->size, ==, 3);

  g_clear_object (&result);
  cw_wallet_export_fhir_async (f->wallet, granted->id, NULL, done_cb, &result);
  fhir = cw_wallet_export_fhir_finish (f->wallet, wait_for (&result), &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (fhir, "\"inactive\""));

  /* Revoking the same grant again: refused for good, marked rejected. */
  {
    g_autoptr(GAsyncResult) again = NULL;
    g_autoptr(CwStoreTx) none = NULL;
    g_autoptr(GPtrArray) pending = NULL;

    cw_wallet_revoke_async (f->wallet, granted->id, NULL, done_cb, &again);
    none = cw_wallet_transaction_finish (f->wallet, wait_for (&again), &error);
    g_assert_null (none);
    g_assert_error (error, CW_WALLET_ERROR, CW_WALLET_ERROR_REJECTED);
    pending = cw_wallet_store_list_transactions (store, FALSE, NULL);
    g_assert_cmpuint (pending->len, ==, 0);
  }
  g_assert_cmpuint (f->n_alerts, ==, 0);
}

static void
test_offline_flush (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *recovery = enroll (f, f->pin, &error);
  g_autoptr(CwStoreTx) first = NULL;
  g_autoptr(CwStoreTx) second = NULL;
  g_autoptr(GPtrArray) pending = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(CwNodeProfile) profile = NULL;
  g_autoptr(CwStoreTx) after = NULL;
  CwWalletStore *store = cw_wallet_get_store (f->wallet);
  guint n_confirmed = 0;

  g_assert_no_error (error);
  tx_node_stop (&f->node);

  first = grant (f, &error);
  g_assert_no_error (error);
  g_assert_cmpint (first->state, !=, CW_STORE_TX_CONFIRMED);
  second = grant (f, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (second->seq, ==, first->seq + 1);

  pending = cw_wallet_store_list_transactions (store, FALSE, &error);
  g_assert_cmpuint (pending->len, ==, 2);
  g_assert_cmpstr (((CwStoreTx *) pending->pdata[0])->id, ==, first->id);

  /* Back on a new port. */
  tx_node_start (&f->node);
  profile = profile_for (f, f->node.server->url, f->pin);
  g_assert_true (cw_wallet_store_set_node_profile (store, profile, &error));

  cw_wallet_flush_async (f->wallet, NULL, done_cb, &result);
  g_assert_true (cw_wallet_flush_finish (f->wallet, wait_for (&result), &n_confirmed, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_confirmed, ==, 2);

  after = cw_wallet_store_get_transaction (store, second->id, &error);
  g_assert_cmpint (after->state, ==, CW_STORE_TX_CONFIRMED);
  g_assert_cmpint (after->log_index, ==, 2);
  g_clear_pointer (&after, cw_store_tx_free);
  after = cw_wallet_store_get_transaction (store, first->id, &error);
  g_assert_cmpint (after->log_index, ==, 1);
}

static void
test_wrong_pin (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  /* A valid pin of some other key. */
  g_autofree char *recovery = enroll (f, "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", &error);
  g_autoptr(CwStoreIdentity) identity = NULL;

  g_assert_null (recovery);
  g_assert_error (error, CW_NODE_CLIENT_ERROR, CW_NODE_CLIENT_ERROR_TLS_PIN_MISMATCH);
  g_test_message ("%s", error->message);
  g_clear_error (&error);

  /* Nothing left behind. */
  g_assert_false (cw_wallet_get_enrolled (f->wallet));
  identity = cw_wallet_store_get_identity (cw_wallet_get_store (f->wallet), &error);
  g_assert_no_error (error);
  g_assert_null (identity);
}

/* The tampering proxy: forwards to the node and flips a proof hash. */
typedef struct {
  SoupServer *server;
  SoupSession *upstream;
  char *target;
  char *url;
} Proxy;

static gboolean
accept_any_cb (SoupMessage *msg, GTlsCertificate *cert, GTlsCertificateFlags errors, gpointer data)
{
  return TRUE;
}

static void
upstream_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(SoupServerMessage) msg = user_data;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *object;
  g_auto(GStrv) lines = NULL;
  g_autofree char *tampered = NULL;
  char *out;

  g_assert_nonnull (body);
  json_parser_load_from_data (parser, g_bytes_get_data (body, NULL), g_bytes_get_size (body), NULL);
  object = json_node_get_object (json_parser_get_root (parser));
  lines = g_strsplit (json_object_get_string_member (object, "proof"), "\n", -1);
  /* Line 2 is the first inclusion hash; change its first character. */
  lines[2][0] = lines[2][0] == 'A' ? 'B' : 'A';
  tampered = g_strjoinv ("\n", lines);
  json_object_set_string_member (object, "proof", tampered);
  out = json_to_string (json_parser_get_root (parser), FALSE);

  soup_server_message_set_status (msg, 200, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, out, strlen (out));
  soup_server_message_unpause (msg);
}

static void
proxy_handler_cb (SoupServer        *server,
                  SoupServerMessage *msg,
                  const char        *path,
                  GHashTable        *query,
                  gpointer           user_data)
{
  Proxy *proxy = user_data;
  g_autofree char *url = g_strconcat (proxy->target, path, NULL);
  g_autoptr(SoupMessage) upstream = soup_message_new (soup_server_message_get_method (msg), url);
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autoptr(GBytes) bytes = soup_message_body_flatten (body);

  g_signal_connect (upstream, "accept-certificate", G_CALLBACK (accept_any_cb), NULL);
  soup_message_set_request_body_from_bytes (upstream, "application/json", bytes);
  soup_server_message_pause (msg);
  soup_session_send_and_read_async (proxy->upstream, upstream, G_PRIORITY_DEFAULT, NULL,
                                    upstream_cb, g_object_ref (msg));
}

static void
test_tampered_receipt (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *recovery = enroll (f, f->pin, &error);
  g_autofree char *key_path = g_build_filename (f->node.dir, "tls-key.pem", NULL);
  g_autoptr(GTlsCertificate) cert = NULL;
  g_autoptr(CwNodeProfile) profile = NULL;
  g_autoptr(CwStoreTx) granted = NULL;
  g_autoptr(GPtrArray) alerts = NULL;
  g_autoptr(GPtrArray) pending = NULL;
  g_autoptr(GSList) uris = NULL;
  CwWalletStore *store = cw_wallet_get_store (f->wallet);
  Proxy proxy = { 0 };

  g_assert_no_error (error);
  cert = g_tls_certificate_new_from_files (f->node.cert_path, key_path, &error);
  g_assert_no_error (error);
  proxy.server = soup_server_new ("tls-certificate", cert, NULL);
  proxy.upstream = soup_session_new ();
  proxy.target = g_strdup (f->node.server->url);
  soup_server_add_handler (proxy.server, "/v1/tx", proxy_handler_cb, &proxy, NULL);
  soup_server_listen_local (proxy.server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY | SOUP_SERVER_LISTEN_HTTPS,
                            &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (proxy.server);
  proxy.url = g_uri_to_string_partial (uris->data, G_URI_HIDE_PASSWORD);
  if (g_str_has_suffix (proxy.url, "/"))
    proxy.url[strlen (proxy.url) - 1] = '\0';
  g_slist_free_full (g_steal_pointer (&uris), (GDestroyNotify) g_uri_unref);

  profile = profile_for (f, proxy.url, f->pin);
  g_assert_true (cw_wallet_store_set_node_profile (store, profile, &error));

  granted = grant (f, &error);
  g_assert_null (granted);
  g_assert_error (error, CW_WALLET_ERROR, CW_WALLET_ERROR_VERIFICATION);
  g_test_message ("%s", error->message);

  /* Nothing confirmed, one persistent alert with evidence, one signal. */
  pending = cw_wallet_store_list_transactions (store, FALSE, NULL);
  g_assert_cmpuint (pending->len, ==, 1);
  g_assert_cmpint (((CwStoreTx *) pending->pdata[0])->state, ==, CW_STORE_TX_SENT);
  alerts = cw_wallet_store_list_alerts (store, FALSE, NULL);
  g_assert_cmpuint (alerts->len, ==, 1);
  g_assert_cmpstr (((CwStoreAlert *) alerts->pdata[0])->kind, ==, "bad-inclusion-proof");
  g_assert_nonnull (((CwStoreAlert *) alerts->pdata[0])->evidence);
  while (f->n_alerts == 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (f->n_alerts, ==, 1);

  soup_server_disconnect (proxy.server);
  g_clear_object (&proxy.server);
  g_clear_object (&proxy.upstream);
  g_free (proxy.target);
  g_free (proxy.url);
}

/* A wallet with no node yet (never enrolled): flush and sync say so, and
 * their workers, which never began, end cleanly. */
static void
test_not_enrolled (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GAsyncResult) flushed = NULL;
  g_autoptr(GAsyncResult) synced = NULL;
  g_autoptr(GError) error = NULL;

  cw_wallet_flush_async (f->wallet, NULL, done_cb, &flushed);
  g_assert_false (cw_wallet_flush_finish (f->wallet, wait_for (&flushed), NULL, &error));
  g_assert_error (error, CW_WALLET_ERROR, CW_WALLET_ERROR_NOT_ENROLLED);
  g_clear_error (&error);

  cw_wallet_sync_async (f->wallet, NULL, done_cb, &synced);
  g_assert_false (cw_wallet_sync_finish (f->wallet, wait_for (&synced), &error));
  g_assert_error (error, CW_WALLET_ERROR, CW_WALLET_ERROR_NOT_ENROLLED);
  g_assert_cmpuint (f->n_alerts, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_assert_cmpint (sodium_init (), >=, 0);
  g_test_init (&argc, &argv, NULL);
  engine_test_start_keyring ();

  g_test_add ("/wallet/enroll-grant-revoke", Fixture, NULL, fixture_setup,
              test_enroll_grant_revoke, fixture_teardown);
  g_test_add ("/wallet/not-enrolled", Fixture, NULL, fixture_setup, test_not_enrolled,
              fixture_teardown);
  g_test_add ("/wallet/offline-flush", Fixture, NULL, fixture_setup, test_offline_flush,
              fixture_teardown);
  g_test_add ("/wallet/wrong-pin", Fixture, NULL, fixture_setup, test_wrong_pin,
              fixture_teardown);
  g_test_add ("/wallet/tampered-receipt", Fixture, NULL, fixture_setup, test_tampered_receipt,
              fixture_teardown);

  status = g_test_run ();
  engine_test_stop_keyring ();
  return status;
}

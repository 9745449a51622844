/* test-rotate.c: key rotation by the current key (cw_wallet_rotate_key_async)
 * against a real consent-node over HTTPS and a real gnome-keyring: the
 * keyring holds the new key, the node refuses the old one for signed reads
 * and for new transactions, the chain goes on after the rotate and
 * `verify` accepts the whole history. Also the wallet's list-model
 * properties. */
#include "config.h"

#include <sodium.h>
#include <string.h>

#include "cw-encoding.h"
#include "cw-grant-item.h"
#include "cw-node-client.h"
#include "engine-test-util.h"

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

/* The keyring's key of the wallet's patient for @public_key (base64), or
 * %NULL with @error. */
static CwSigningKey *
keyring_key (EngineFixture  *f,
             const char     *public_key,
             GError        **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  guint8 raw[CW_PUBLIC_KEY_SIZE];

  g_assert_true (cw_base64_decode_fixed (public_key, -1, raw, sizeof raw, NULL));
  cw_keyring_lookup_async (f->keyring, cw_wallet_get_patient_id (f->wallet), raw, "patient",
                           NULL, done_cb, &result);
  return cw_keyring_lookup_finish (f->keyring, wait_for (&result), error);
}

/* The patient's chain as the node lists it to a read signed by @key. */
static CwNodeListing *
list_chain (EngineFixture  *f,
            CwNodeClient   *client,
            CwSigningKey   *key,
            GError        **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  cw_node_client_list_async (client, CW_NODE_LIST_CHAIN, cw_wallet_get_patient_id (f->wallet),
                             TRUE, 0, 0, key, NULL, done_cb, &result);
  return cw_node_client_list_finish (client, wait_for (&result), error);
}

static CwStoreTx *
rotate (EngineFixture  *f,
        GError        **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  cw_wallet_rotate_key_async (f->wallet, NULL, done_cb, &result);
  return cw_wallet_transaction_finish (f->wallet, wait_for (&result), error);
}

static CwStoreIdentity *
identity (EngineFixture *f)
{
  g_autoptr(GError) error = NULL;
  CwStoreIdentity *found = cw_wallet_store_get_identity (engine_store (f), &error);

  g_assert_no_error (error);
  g_assert_nonnull (found);
  return found;
}

/* A grant that extends the chain after @head_id (seq @head_seq) correctly
 * in every field, but signed by @key. */
static GBytes *
grant_signed_by (EngineFixture *f,
                 CwSigningKey  *key,
                 guint64        head_seq,
                 const char    *head_id)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) expires = g_date_time_add_days (now, 30);
  g_autoptr(GError) error = NULL;
  g_autoptr(CwTx) tx = NULL;
  guint8 patient[CW_PUBLIC_KEY_SIZE], prev[CW_TX_ID_SIZE];
  CwTxCommon common = { patient, head_seq + 1, prev, NULL, NULL };

  g_assert_true (cw_base64_decode_fixed (cw_wallet_get_patient_id (f->wallet), -1, patient,
                                         sizeof patient, NULL));
  g_assert_true (cw_base64_decode_fixed (head_id, -1, prev, sizeof prev, NULL));
  tx = cw_tx_new_grant (&common, "lab-two", CW_SCOPE_LAB_RESULTS, CW_PURPOSE_TREAT,
                        CW_ACCESS_VIEW, NULL, NULL, expires, NULL, &error);
  g_assert_no_error (error);
  return tx_sign (tx, key);
}

static void
test_rotate_current_key (EngineFixture *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *recovery = engine_enroll (f, &error);
  g_autoptr(CwStoreIdentity) before = NULL;
  g_autoptr(CwStoreIdentity) after = NULL;
  g_autoptr(CwSigningKey) old_key = NULL;
  g_autoptr(CwSigningKey) new_key = NULL;
  g_autoptr(CwStoreTx) first = NULL;
  g_autoptr(CwStoreTx) rotated = NULL;
  g_autoptr(CwStoreTx) second = NULL;
  g_autoptr(CwNodeProfile) profile = NULL;
  g_autoptr(CwNodeClient) client = NULL;
  g_autoptr(CwNodeListing) refused = NULL;
  g_autoptr(CwNodeListing) chain = NULL;
  g_autoptr(GBytes) forged = NULL;
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(GPtrArray) history = NULL;
  g_autofree char *new_b64 = NULL;
  guint n_checked = 0;

  g_assert_no_error (error);
  first = engine_grant (f, "gp-one", CW_SCOPE_SUMMARY, &error);
  g_assert_no_error (error);
  g_assert_cmpint (first->state, ==, CW_STORE_TX_CONFIRMED);

  before = identity (f);
  old_key = keyring_key (f, before->public_key, &error);
  g_assert_no_error (error);

  rotated = rotate (f, &error);
  g_assert_no_error (error);
  g_assert_nonnull (rotated);
  g_assert_cmpint (rotated->type, ==, CW_TX_TYPE_ROTATE);
  g_assert_cmpint (rotated->state, ==, CW_STORE_TX_CONFIRMED);
  g_assert_cmpuint (rotated->seq, ==, first->seq + 1);
  g_assert_cmpstr (rotated->prev, ==, first->id);

  /* The identity now names a new key, and the keyring holds its secret;
   * the patient ID, the enrollment key, stays. */
  after = identity (f);
  g_assert_cmpstr (after->patient_id, ==, before->patient_id);
  g_assert_cmpstr (after->recovery_key, ==, before->recovery_key);
  g_assert_cmpstr (after->public_key, !=, before->public_key);
  new_key = keyring_key (f, after->public_key, &error);
  g_assert_no_error (error);
  new_b64 = cw_base64_encode (cw_signing_key_get_public_key (new_key), CW_PUBLIC_KEY_SIZE);
  g_assert_cmpstr (new_b64, ==, after->public_key);

  /* Signed reads: the old key is refused, the new one reads the chain
   * with the rotate as its head. */
  profile = engine_profile (f, f->node.server->url);
  client = cw_node_client_new (profile, CW_NODE_CLIENT_FLAGS_NONE, &error);
  g_assert_no_error (error);
  cw_node_client_set_max_retries (client, 0);
  refused = list_chain (f, client, old_key, &error);
  g_assert_null (refused);
  g_assert_nonnull (error);
  g_assert_cmpuint (cw_node_client_error_get_status (error), ==, 401);
  /* PROTOCOL.md: a key rotated away is nobody's current key. */
  g_assert_cmpstr (cw_node_client_error_get_node_code (error), ==, "unauthenticated");
  g_clear_error (&error);
  chain = list_chain (f, client, new_key, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (chain->head_seq, ==, rotated->seq);
  g_assert_cmpstr (chain->head_id, ==, rotated->id);

  /* A new transaction signed by the old key: a well-formed next link of
   * the chain, refused for its signature alone. */
  forged = grant_signed_by (f, old_key, rotated->seq, rotated->id);
  answer = tx_post_expect (&f->node, forged, 403, "bad_signature");

  /* The chain goes on under the new key. */
  second = engine_grant (f, "lab-two", CW_SCOPE_LAB_RESULTS, &error);
  g_assert_no_error (error);
  g_assert_cmpint (second->state, ==, CW_STORE_TX_CONFIRMED);
  g_assert_cmpuint (second->seq, ==, rotated->seq + 1);
  g_assert_cmpstr (second->prev, ==, rotated->id);

  g_assert_true (engine_sync (f, &error));
  g_assert_no_error (error);
  g_assert_true (engine_verify (f, &n_checked, &error));
  g_assert_no_error (error);
  /* At least enroll, grant, rotate, grant (grants and receipts count too). */
  g_assert_cmpuint (n_checked, >=, 4);
  g_assert_cmpuint (f->n_alerts, ==, 0);

  history = cw_wallet_store_list_transactions (engine_store (f), TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (history->len, ==, 4);
  for (guint i = 0; i < history->len; i++)
    g_assert_cmpint (((CwStoreTx *) history->pdata[i])->state, ==, CW_STORE_TX_CONFIRMED);
}

/* The models are also read-only properties, the same objects as the
 * getters return, and they fill in place: the model taken before the
 * wallet was even enrolled is the one that shows the new grant, and the
 * property is never pointed at another object. */
static void
on_notify (GObject    *object,
           GParamSpec *pspec,
           gpointer    user_data)
{
  (*(guint *) user_data)++;
}

static void
test_model_properties (EngineFixture *f,
                       gconstpointer  data)
{
  const char *names[] = { "grants", "requests", "activity", "providers" };
  GListModel *(*getters[]) (CwWallet *) = { cw_wallet_get_grants, cw_wallet_get_requests,
                                            cw_wallet_get_activity, cw_wallet_get_providers };
  g_autoptr(GError) error = NULL;
  g_autofree char *recovery = NULL;
  g_autoptr(CwStoreTx) granted = NULL;
  g_autoptr(GListModel) grants = NULL;
  g_autoptr(GListModel) grants_after = NULL;
  g_autoptr(CwGrantItem) item = NULL;
  guint n_notify = 0;

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (f->wallet), names[i]);
      g_autoptr(GListModel) model = NULL;

      g_assert_nonnull (pspec);
      g_assert_true (g_type_is_a (pspec->value_type, G_TYPE_LIST_MODEL));
      g_assert_true (pspec->flags & G_PARAM_READABLE);
      g_assert_false (pspec->flags & G_PARAM_WRITABLE);
      g_assert_true (pspec->flags & G_PARAM_EXPLICIT_NOTIFY);
      g_object_get (f->wallet, names[i], &model, NULL);
      g_assert_nonnull (model);
      g_assert_true (model == getters[i] (f->wallet));
    }

  g_object_get (f->wallet, "grants", &grants, NULL);
  g_assert_cmpuint (g_list_model_get_n_items (grants), ==, 0);
  g_signal_connect (f->wallet, "notify::grants", G_CALLBACK (on_notify), &n_notify);

  recovery = engine_enroll (f, &error);
  g_assert_no_error (error);
  granted = engine_grant (f, "gp-one", CW_SCOPE_SUMMARY, &error);
  g_assert_no_error (error);
  /* The models refresh from the main context after the operation. */
  while (g_list_model_get_n_items (grants) == 0)
    g_main_context_iteration (NULL, TRUE);

  g_assert_cmpuint (g_list_model_get_n_items (grants), ==, 1);
  item = g_list_model_get_item (grants, 0);
  g_assert_true (CW_IS_GRANT_ITEM (item));
  g_assert_cmpstr (cw_grant_item_get_id (item), ==, granted->id);
  g_assert_cmpstr (cw_grant_item_get_provider (item), ==, "gp-one");
  g_object_get (f->wallet, "grants", &grants_after, NULL);
  g_assert_true (grants_after == grants);
  g_assert_cmpuint (n_notify, ==, 0);
  g_signal_handlers_disconnect_by_func (f->wallet, on_notify, &n_notify);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_assert_cmpint (sodium_init (), >=, 0);
  g_test_init (&argc, &argv, NULL);
  engine_test_start_keyring ();

  g_test_add ("/rotate/current-key", EngineFixture, NULL, engine_fixture_setup,
              test_rotate_current_key, engine_fixture_teardown);
  g_test_add ("/wallet/model-properties", EngineFixture, NULL, engine_fixture_setup,
              test_model_properties, engine_fixture_teardown);

  status = g_test_run ();
  engine_test_stop_keyring ();
  return status;
}

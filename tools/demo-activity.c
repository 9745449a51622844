/* demo-activity.c: gives tools/run-demo's wallet something to show. Signs,
 * as the demo providers (their key files from run-demo), two access
 * requests to the demo patient, one read of their records under an active
 * grant, and one attempt without a grant that the node refuses; submits
 * them to the demo node the wallet is enrolled with (its pinned profile).
 * Demo only: real providers sign with their own systems. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include <sodium.h>

#include "cw-dsse.h"
#include "cw-encoding.h"
#include "cw-node-client.h"
#include "cw-tx.h"
#include "cw-wallet-store.h"

typedef struct {
  gboolean      done;
  GAsyncResult *result;
} Wait;

static void
done_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Wait *wait = user_data;

  wait->result = g_object_ref (result);
  wait->done = TRUE;
}

static CwSigningKey *
load_key (const char  *dir,
          const char  *provider,
          GError     **error)
{
  g_autofree char *name = g_strconcat (provider, ".key", NULL);
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *text = NULL;

  if (!g_file_get_contents (path, &text, NULL, error))
    return NULL;
  g_strstrip (text);
  return cw_signing_key_new_from_string (text, error);
}

/* Signs @tx as @provider and submits it; prints what the node said. */
static gboolean
submit (CwNodeClient *client,
        const char   *keys_dir,
        const char   *provider,
        CwTx         *tx,
        const char   *what)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CwSigningKey) key = load_key (keys_dir, provider, &error);
  g_autoptr(GBytes) payload = NULL;
  g_autoptr(CwDsseEnvelope) envelope = NULL;
  g_autofree char *json = NULL;
  CwNodeReceipt *receipt;
  Wait wait = { 0 };

  if (key == NULL)
    {
      g_printerr ("demo-activity: %s key: %s\n", provider, error->message);
      return FALSE;
    }
  payload = cw_tx_to_payload (tx);
  envelope = cw_dsse_envelope_sign (payload, key, &error);
  if (envelope == NULL)
    {
      g_printerr ("demo-activity: signing: %s\n", error->message);
      return FALSE;
    }
  json = cw_dsse_envelope_to_json (envelope, NULL);
  cw_node_client_submit_async (client, json, NULL, done_cb, &wait);
  while (!wait.done)
    g_main_context_iteration (NULL, TRUE);
  receipt = cw_node_client_submit_finish (client, wait.result, &error);
  g_object_unref (wait.result);
  if (receipt == NULL)
    {
      g_printerr ("demo-activity: %s: %s\n", what, error->message);
      return FALSE;
    }
  g_print ("  %s (%s)\n", what, provider);
  cw_node_receipt_free (receipt);
  return TRUE;
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *wallet_dir = NULL;
  g_autofree char *keys_dir = NULL;
  const GOptionEntry entries[] = {
    { "wallet", 0, 0, G_OPTION_ARG_FILENAME, &wallet_dir, "The enrolled demo wallet's folder", "DIR" },
    { "provider-keys", 0, 0, G_OPTION_ARG_FILENAME, &keys_dir, "The demo providers' key files", "DIR" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("- demo requests and access events");
  g_autoptr(GError) error = NULL;
  g_autofree char *store_path = NULL;
  g_autoptr(CwWalletStore) store = NULL;
  g_autoptr(CwStoreIdentity) identity = NULL;
  g_autoptr(CwNodeProfile) profile = NULL;
  g_autoptr(CwNodeClient) client = NULL;
  g_autoptr(GPtrArray) grants = NULL;
  g_autoptr(GDateTime) in_30_days = NULL;
  guint8 patient[CW_PUBLIC_KEY_SIZE];
  guint8 grant_id[CW_TX_ID_SIZE];
  CwTxCommon common = { patient, 0, NULL, NULL, NULL };
  const char *gp_grant = NULL;
  gboolean ok = TRUE;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || wallet_dir == NULL ||
      keys_dir == NULL)
    {
      g_printerr ("demo-activity: %s\n", error != NULL ? error->message
                                                     : "give --wallet and --provider-keys");
      return 2;
    }
  if (sodium_init () < 0)
    return 1;

  /* Who the patient is and where their node is, from the wallet. */
  store_path = g_build_filename (wallet_dir, "wallet.db", NULL);
  store = cw_wallet_store_new (store_path, &error);
  if (store == NULL ||
      (identity = cw_wallet_store_get_identity (store, &error)) == NULL ||
      (profile = cw_wallet_store_get_node_profile (store, &error)) == NULL ||
      (grants = cw_wallet_store_list_grants (store, &error)) == NULL ||
      !cw_base64_decode_fixed (identity->patient_id, -1, patient, sizeof patient, &error))
    {
      g_printerr ("demo-activity: the wallet in %s: %s\n", wallet_dir,
                  error != NULL ? error->message : "not enrolled");
      return 1;
    }
  for (guint i = 0; i < grants->len; i++)
    {
      CwStoreGrant *grant = grants->pdata[i];

      if (g_strcmp0 (grant->provider, "riverside-gp") == 0 && grant->revoked_by == NULL &&
          grant->log_index >= 0)
        gp_grant = grant->id;
    }
  client = cw_node_client_new (profile, CW_NODE_CLIENT_FLAGS_NONE, &error);
  if (client == NULL)
    {
      g_printerr ("demo-activity: %s\n", error->message);
      return 1;
    }

  in_30_days = g_date_time_add_days (g_date_time_new_now_utc (), 30);
  {
    g_autoptr(CwTx) tx = cw_tx_new_request (&common, "northgate-lab",
                                            CW_SCOPE_LAB_RESULTS | CW_SCOPE_IMAGING,
                                            CW_PURPOSE_TREAT, CW_ACCESS_VIEW, in_30_days,
                                            "To compare your new blood test and scan with "
                                            "earlier results.", &error);

    ok &= tx != NULL && submit (client, keys_dir, "northgate-lab", tx, "request: lab results, imaging");
  }
  {
    g_autoptr(CwTx) tx = cw_tx_new_request (&common, "heartwise-study",
                                            CW_SCOPE_SUMMARY | CW_SCOPE_VITALS | CW_SCOPE_GENETICS,
                                            CW_PURPOSE_HRESCH, CW_ACCESS_VIEW | CW_ACCESS_STORE,
                                            in_30_days,
                                            "The HEARTWISE study invites you to share your "
                                            "records for heart research.", &error);

    ok &= tx != NULL && submit (client, keys_dir, "heartwise-study", tx, "request: research");
  }
  if (gp_grant != NULL && cw_base64_decode_fixed (gp_grant, -1, grant_id, sizeof grant_id, NULL))
    {
      g_autoptr(CwTx) tx = cw_tx_new_access (&common, "riverside-gp", grant_id, CW_SCOPE_MEDICATIONS,
                                             CW_PURPOSE_TREAT, &error);

      ok &= tx != NULL && submit (client, keys_dir, "riverside-gp", tx, "access: medications");
    }
  /* An insurer citing a grant that does not exist: logged, and refused. */
  randombytes_buf (grant_id, sizeof grant_id);
  {
    g_autoptr(CwTx) tx = cw_tx_new_access (&common, "civic-health-insurance", grant_id,
                                           CW_SCOPE_SUMMARY, CW_PURPOSE_COVERAGE, &error);

    ok &= tx != NULL && submit (client, keys_dir, "civic-health-insurance", tx,
                                "access attempt without a grant (refused)");
  }
  if (error != NULL)
    g_printerr ("demo-activity: %s\n", error->message);
  return ok ? 0 : 1;
}

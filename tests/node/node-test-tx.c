/* node-test-tx.c: helpers for the sequencer tests: a node with providers,
 * patients with real keys, signed envelopes, POST /v1/tx and receipt
 * checks against the log key. */
#include "config.h"

#include <string.h>

#include "cw-checkpoint.h"
#include "cw-encoding.h"
#include "cw-http-signature.h"
#include "cw-merkle.h"
#include "cw-tiles.h"
#include "cw-tlog-proof.h"
#include "node-test-tx.h"

static CwSigningKey *
add_provider (TxNode     *node,
              const char *id,
              const char *kind)
{
  g_autofree char *key_path = g_strdup_printf ("%s/%s.key", node->tmpdir, id);
  g_autoptr(NodeRun) run = node_test_run ("provider", "add", "--dir", node->dir, "--id", id,
                                          "--name", id, "--organization", "Test Health",
                                          "--kind", kind, "--generate-key", key_path, NULL);
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  CwSigningKey *key;

  g_assert_cmpint (run->exit_status, ==, 0);
  g_file_get_contents (key_path, &text, NULL, &error);
  g_assert_no_error (error);
  key = cw_signing_key_new_from_string (g_strstrip (text), &error);
  g_assert_no_error (error);

  return key;
}

void
tx_node_setup (TxNode *node)
{
  g_autoptr(NodeRun) init = NULL;
  g_autofree char *verifier = NULL;
  g_autoptr(GError) error = NULL;

  memset (node, 0, sizeof *node);
  node->tmpdir = node_test_make_tmpdir ();
  node->dir = g_build_filename (node->tmpdir, "node", NULL);
  init = node_test_run ("init", "--dir", node->dir, "--origin", TX_TEST_ORIGIN,
                        "--listen", "127.0.0.1:0", NULL);
  g_assert_cmpint (init->exit_status, ==, 0);
  verifier = node_test_get_field (init->out, "verifier-key");
  node->log_key = cw_verifier_key_new_from_string (verifier, &error);
  g_assert_no_error (error);
  node->cert_path = g_build_filename (node->dir, "tls-cert.pem", NULL);
  node->gp_key = add_provider (node, "gp-one", "practice");
  node->lab_key = add_provider (node, "lab-two", "lab");
  node->session = node_test_session_new (node->cert_path);
}

void
tx_node_teardown (TxNode *node)
{
  g_clear_object (&node->session);
  g_clear_pointer (&node->server, node_test_server_free);
  node_test_remove_tree (node->tmpdir);
  g_free (node->tmpdir);
  g_free (node->dir);
  g_free (node->cert_path);
  g_clear_pointer (&node->log_key, cw_verifier_key_unref);
  g_clear_pointer (&node->gp_key, cw_signing_key_unref);
  g_clear_pointer (&node->lab_key, cw_signing_key_unref);
}

void
tx_node_start (TxNode *node)
{
  g_assert_null (node->server);
  node->server = node_test_server_start (node->dir);
}

void
tx_node_stop (TxNode *node)
{
  g_assert_cmpint (node_test_server_stop (node->server), ==, 0);
  g_clear_pointer (&node->server, node_test_server_free);
}

char *
tx_node_invite (TxNode     *node,
                const char *provider)
{
  g_autofree char *key_path = g_strdup_printf ("%s/%s.key", node->tmpdir, provider);
  g_autoptr(NodeRun) run = node_test_run ("invite", "--dir", node->dir, "--provider", provider,
                                          "--key", key_path, NULL);
  g_auto(GStrv) lines = NULL;

  g_assert_cmpint (run->exit_status, ==, 0);
  /* The code is the line of four dash-separated groups. */
  lines = g_strsplit (run->out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (strlen (lines[i]) == 23 && lines[i][5] == '-' && strchr (lines[i], ' ') == NULL)
        return g_strdup (lines[i]);
    }
  g_assert_not_reached ();
}

void
tx_node_configure (TxNode *node,
                   guint   batch_interval_ms,
                   guint   batch_max_size)
{
  g_autofree char *interval = g_strdup_printf ("%u", batch_interval_ms);
  g_autofree char *size = g_strdup_printf ("%u", batch_max_size);

  tx_node_set_config (node, "sequencer", "batch-interval-ms", interval);
  tx_node_set_config (node, "sequencer", "batch-max-size", size);
}

TxPatient *
tx_patient_new (void)
{
  TxPatient *patient = g_new0 (TxPatient, 1);
  g_autoptr(GError) error = NULL;

  patient->key = cw_signing_key_generate ("patient", CW_KEY_TYPE_ED25519, &error);
  g_assert_no_error (error);
  patient->recovery = cw_signing_key_generate ("recovery", CW_KEY_TYPE_ED25519, &error);
  g_assert_no_error (error);
  memcpy (patient->id, cw_signing_key_get_public_key (patient->key), CW_PUBLIC_KEY_SIZE);

  return patient;
}

void
tx_patient_free (TxPatient *patient)
{
  if (patient == NULL)
    return;
  g_clear_pointer (&patient->key, cw_signing_key_unref);
  g_clear_pointer (&patient->recovery, cw_signing_key_unref);
  g_free (patient);
}

CwTxCommon
tx_patient_next (TxPatient *patient,
                 GDateTime *time)
{
  CwTxCommon common = { patient->id, patient->seq + 1, patient->head, time, NULL };

  return common;
}

void
tx_patient_advance (TxPatient *patient,
                    CwTx      *tx)
{
  patient->seq = cw_tx_get_seq (tx);
  cw_tx_compute_id (tx, patient->head);
}

GBytes *
tx_sign (CwTx         *tx,
         CwSigningKey *key)
{
  g_autoptr(GBytes) payload = cw_tx_to_payload (tx);
  g_autoptr(CwDsseEnvelope) envelope = NULL;
  g_autoptr(GError) error = NULL;
  gsize len = 0;
  char *json;

  envelope = cw_dsse_envelope_sign (payload, key, &error);
  g_assert_no_error (error);
  json = cw_dsse_envelope_to_json (envelope, &len);

  return g_bytes_new_take (json, len);
}

guint
tx_post (TxNode      *node,
         GBytes      *envelope,
         JsonObject **out_json)
{
  g_autofree char *url = g_strconcat (node->server->url, "/v1/tx", NULL);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  guint status;

  status = node_test_request (node->session, "POST", url, envelope, FALSE, &body, NULL);
  if (status == 0)
    return 0;

  json_parser_load_from_data (parser, g_bytes_get_data (body, NULL), g_bytes_get_size (body),
                              &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  if (out_json != NULL)
    *out_json = json_object_ref (json_node_get_object (json_parser_get_root (parser)));

  return status;
}

JsonObject *
tx_post_expect (TxNode     *node,
                GBytes     *envelope,
                guint       status,
                const char *code)
{
  JsonObject *answer = NULL;
  guint got = tx_post (node, envelope, &answer);

  g_test_message ("POST /v1/tx → %u %s", got,
                  answer != NULL && json_object_has_member (answer, "error")
                    ? json_object_get_string_member (json_object_get_object_member (answer, "error"), "code")
                    : "");
  g_assert_cmpuint (got, ==, status);
  if (code != NULL)
    g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (answer, "error"),
                                                    "code"), ==, code);

  return answer;
}

void
tx_open_checkpoint (TxNode      *node,
                    const char  *note,
                    guint64     *out_size,
                    guint8      *out_root)
{
  g_autoptr(CwSignedCheckpoint) opened = NULL;
  g_autoptr(GError) error = NULL;
  CwCheckpoint *checkpoint;

  opened = cw_signed_checkpoint_open (note, strlen (note), node->log_key, NULL, 0, &error);
  g_assert_no_error (error);
  checkpoint = cw_signed_checkpoint_get_checkpoint (opened);
  g_assert_cmpstr (cw_checkpoint_get_origin (checkpoint), ==, TX_TEST_ORIGIN);
  *out_size = cw_checkpoint_get_size (checkpoint);
  if (out_root != NULL)
    memcpy (out_root, cw_checkpoint_get_root_hash (checkpoint), CW_MERKLE_HASH_SIZE);
}

guint64
tx_check_receipt (TxNode     *node,
                  JsonObject *receipt,
                  CwTx       *tx)
{
  g_autoptr(CwTlogProof) proof = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = cw_tx_dup_id_base64 (tx);
  guint8 tx_id[CW_TX_ID_SIZE];
  guint8 leaf[CW_MERKLE_HASH_SIZE];
  guint8 root[CW_MERKLE_HASH_SIZE];
  guint64 size;

  g_assert_cmpstr (json_object_get_string_member (receipt, "id"), ==, id);
  proof = cw_tlog_proof_parse (json_object_get_string_member (receipt, "proof"), -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (proof->index, ==, json_object_get_int_member (receipt, "index"));

  tx_open_checkpoint (node, proof->checkpoint, &size, root);
  cw_tx_compute_id (tx, tx_id);
  cw_merkle_hash_leaf (tx_id, sizeof tx_id, leaf);
  cw_merkle_verify_inclusion (proof->index, size, leaf, root, proof->proof, &error);
  g_assert_no_error (error);

  return size;
}

JsonObject *
tx_submit_ok (TxNode       *node,
              CwTx         *tx,
              CwSigningKey *key)
{
  g_autoptr(GBytes) envelope = tx_sign (tx, key);
  JsonObject *receipt = tx_post_expect (node, envelope, 200, NULL);

  tx_check_receipt (node, receipt, tx);

  return receipt;
}

guint
tx_get (TxNode      *node,
        const char  *path,
        GBytes     **out_body)
{
  g_autofree char *url = g_strconcat (node->server->url, path, NULL);

  return node_test_request (node->session, "GET", url, NULL, FALSE, out_body, NULL);
}

void
tx_check_consistency (TxNode       *node,
                      guint64       old_size,
                      const guint8 *old_root,
                      guint64       new_size,
                      const guint8 *new_root)
{
  g_autofree char *path = g_strdup_printf ("/v1/log/proof/consistency?old=%" G_GUINT64_FORMAT
                                           "&new=%" G_GUINT64_FORMAT, old_size, new_size);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GPtrArray) proof = cw_merkle_proof_new ();
  g_autoptr(GError) error = NULL;
  JsonArray *hashes;

  if (old_size == 0)
    return;

  g_assert_cmpuint (tx_get (node, path, &body), ==, 200);
  json_parser_load_from_data (parser, g_bytes_get_data (body, NULL), g_bytes_get_size (body),
                              &error);
  g_assert_no_error (error);
  hashes = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                         "proof");
  for (guint i = 0; i < json_array_get_length (hashes); i++)
    {
      guint8 hash[CW_MERKLE_HASH_SIZE];

      cw_base64_decode_fixed (json_array_get_string_element (hashes, i), -1, hash, sizeof hash,
                              &error);
      g_assert_no_error (error);
      cw_merkle_proof_add (proof, hash);
    }

  cw_merkle_verify_consistency (old_size, new_size, old_root, new_root, proof, &error);
  g_assert_no_error (error);
}

static GDateTime *
in_a_day (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  return g_date_time_add_days (now, 1);
}

CwTx *
tx_make_grant (TxPatient  *patient,
               const char *provider,
               CwScopes    scopes,
               CwPurpose   purpose)
{
  g_autoptr(GDateTime) expires = in_a_day ();
  g_autoptr(GError) error = NULL;
  CwTxCommon common = tx_patient_next (patient, NULL);
  CwTx *tx;

  tx = cw_tx_new_grant (&common, provider, scopes, purpose, CW_ACCESS_VIEW, NULL, NULL,
                        expires, NULL, &error);
  g_assert_no_error (error);

  return tx;
}

CwTx *
tx_make_enroll (TxPatient  *patient,
                const char *invite,
                const char *clinic)
{
  g_autoptr(GError) error = NULL;
  CwTxCommon common = { patient->id, 0, NULL, NULL, NULL };
  CwTx *tx;

  tx = cw_tx_new_enroll (&common, cw_signing_key_get_public_key (patient->recovery), invite,
                         clinic, &error);
  g_assert_no_error (error);

  return tx;
}

CwTx *
tx_make_access (TxPatient    *patient,
                const char   *provider,
                const guint8 *grant_id,
                CwScopes      scopes,
                CwPurpose     purpose)
{
  g_autoptr(GError) error = NULL;
  CwTxCommon common = { patient->id, 0, NULL, NULL, NULL };
  CwTx *tx;

  tx = cw_tx_new_access (&common, provider, grant_id, scopes, purpose, &error);
  g_assert_no_error (error);

  return tx;
}

static gboolean
tx_accept_pinned_cb (SoupMessage          *msg,
                     GTlsCertificate      *peer,
                     GTlsCertificateFlags  errors,
                     gpointer              user_data)
{
  return g_tls_certificate_is_same (peer, user_data);
}

void
tx_node_set_config (TxNode     *node,
                    const char *group,
                    const char *key,
                    const char *value)
{
  node_test_set_config (node->dir, group, key, value);
}

void
tx_sign_read (TxNode        *node,
              const char    *path,
              CwSigningKey  *key,
              gint64         created,
              char         **out_input,
              char         **out_signature)
{
  g_autofree char *key_id = cw_dsse_key_id (cw_signing_key_get_public_key (key));
  g_autofree char *target = g_strdup (path);
  g_autoptr(CwHttpRequest) request = NULL;
  g_autoptr(CwHttpSignatureParams) params = NULL;
  g_autoptr(GError) error = NULL;
  const char *authority = node->server->url + strlen ("https://");
  char *query = strchr (target, '?');

  if (query != NULL)
    *query++ = '\0';
  request = cw_http_request_new ("GET", "https", authority, target, query, &error);
  g_assert_no_error (error);
  params = cw_http_signature_params_new_for_node (created != 0 ? created
                                                              : g_get_real_time () / G_USEC_PER_SEC,
                                                  key_id, &error);
  g_assert_no_error (error);
  cw_http_signature_sign (request, params, "sig1", key, out_input, out_signature, &error);
  g_assert_no_error (error);
}

guint
tx_get_with_signature (TxNode      *node,
                       const char  *path,
                       const char  *signature_input,
                       const char  *signature,
                       JsonObject **out_json)
{
  g_autofree char *url = g_strconcat (node->server->url, path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  SoupMessageHeaders *headers;

  g_assert_nonnull (msg);
  headers = soup_message_get_request_headers (msg);
  if (signature_input != NULL)
    soup_message_headers_replace (headers, "Signature-Input", signature_input);
  if (signature != NULL)
    soup_message_headers_replace (headers, "Signature", signature);
  g_signal_connect (msg, "accept-certificate", G_CALLBACK (tx_accept_pinned_cb),
                    g_object_get_data (G_OBJECT (node->session), "pinned-certificate"));

  body = soup_session_send_and_read (node->session, msg, NULL, &error);
  g_assert_no_error (error);

  json_parser_load_from_data (parser, g_bytes_get_data (body, NULL), g_bytes_get_size (body),
                              &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  if (out_json != NULL)
    *out_json = json_object_ref (json_node_get_object (json_parser_get_root (parser)));

  return soup_message_get_status (msg);
}

guint
tx_get_signed (TxNode        *node,
               const char    *path,
               CwSigningKey  *key,
               JsonObject   **out_json)
{
  g_autofree char *input = NULL;
  g_autofree char *signature = NULL;

  tx_sign_read (node, path, key, 0, &input, &signature);

  return tx_get_with_signature (node, path, input, signature, out_json);
}

void
tx_expect_error (JsonObject *answer,
                 const char *code)
{
  g_assert_true (json_object_has_member (answer, "error"));
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (answer, "error"),
                                                  "code"), ==, code);
}

void
tx_check_item_proof (JsonObject   *item,
                     guint64       size,
                     const guint8 *root)
{
  g_autoptr(GPtrArray) proof = cw_merkle_proof_new ();
  g_autoptr(GError) error = NULL;
  JsonArray *hashes = json_object_get_array_member (item, "proof");
  guint8 id[CW_TX_ID_SIZE];
  guint8 leaf[CW_MERKLE_HASH_SIZE];

  cw_base64_decode_fixed (json_object_get_string_member (item, "id"), -1, id, sizeof id, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < json_array_get_length (hashes); i++)
    {
      guint8 hash[CW_MERKLE_HASH_SIZE];

      cw_base64_decode_fixed (json_array_get_string_element (hashes, i), -1, hash, sizeof hash,
                              &error);
      g_assert_no_error (error);
      cw_merkle_proof_add (proof, hash);
    }

  cw_merkle_hash_leaf (id, sizeof id, leaf);
  cw_merkle_verify_inclusion (json_object_get_int_member (item, "index"), size, leaf, root, proof,
                              &error);
  g_assert_no_error (error);
}

GBytes *
tx_get_ok (TxNode     *node,
           const char *path)
{
  GBytes *body = NULL;

  g_assert_cmpuint (tx_get (node, path, &body), ==, 200);
  return body;
}

CwLogTree *
tx_rebuild_tree (TxNode       *node,
                 guint64       size,
                 const guint8 *root)
{
  CwLogTree *tree = cw_log_tree_new ();
  guint8 rebuilt[CW_MERKLE_HASH_SIZE];

  for (guint64 n = 0; n * CW_TILE_WIDTH < size; n++)
    {
      guint width = (guint) MIN ((guint64) CW_TILE_WIDTH, size - n * CW_TILE_WIDTH);
      CwTile entries_tile = { CW_TILE_LEVEL_ENTRIES, n, width };
      CwTile hash_tile = { 0, n, width };
      g_autofree char *entries_path = cw_tile_path (&entries_tile);
      g_autofree char *entries_url = g_strconcat ("/log/", entries_path, NULL);
      g_autofree char *hash_path = cw_tile_path (&hash_tile);
      g_autofree char *hash_url = g_strconcat ("/log/", hash_path, NULL);
      g_autoptr(GBytes) bundle = tx_get_ok (node, entries_url);
      g_autoptr(GBytes) hashes = NULL;
      g_autoptr(GBytes) expected = NULL;
      g_autoptr(GPtrArray) entries = NULL;
      g_autoptr(GError) error = NULL;

      entries = cw_entry_bundle_parse (bundle, width, CW_TX_ID_SIZE, &error);
      g_assert_no_error (error);
      for (guint i = 0; i < entries->len; i++)
        cw_log_tree_append (tree, g_bytes_get_data (g_ptr_array_index (entries, i), NULL),
                            CW_TX_ID_SIZE);

      hashes = tx_get_ok (node, hash_url);
      expected = cw_tile_read_data (&hash_tile, tree, &error);
      g_assert_no_error (error);
      g_assert_true (g_bytes_equal (hashes, expected));
    }

  g_assert_true (cw_log_tree_get_root (tree, size, rebuilt, NULL));
  g_assert_cmpmem (rebuilt, sizeof rebuilt, root, CW_MERKLE_HASH_SIZE);

  return tree;
}

struct _TxLoad
{
  TxNode *node;
  TxPatient *patient;
  GMutex lock;
  GArray *acked;           /* TxAcked, the caller's */
  gint stop;
  GPtrArray *threads;
};

static gpointer
load_thread (gpointer data)
{
  TxLoad *load = data;
  TxNode view = *load->node;
  guint8 grant_id[CW_TX_ID_SIZE] = { 7 };

  /* A session of its own: sessions are not shared across threads. */
  view.session = node_test_session_new (load->node->cert_path);
  while (!g_atomic_int_get (&load->stop))
    {
      g_autoptr(CwTx) tx = tx_make_access (load->patient, "gp-one", grant_id, CW_SCOPE_SUMMARY,
                                           CW_PURPOSE_TREAT);
      g_autoptr(GBytes) envelope = tx_sign (tx, load->node->gp_key);
      g_autoptr(JsonObject) answer = NULL;
      guint status = tx_post (&view, envelope, &answer);
      TxAcked acked;

      /* Refused connections, or 503 while the node stops: it is going,
       * which is what the tests that use this want. */
      if (status == 0 || status == 503)
        break;
      g_assert_cmpuint (status, ==, 200);

      acked.index = json_object_get_int_member (answer, "index");
      cw_tx_compute_id (tx, acked.id);
      g_mutex_lock (&load->lock);
      g_array_append_val (load->acked, acked);
      g_mutex_unlock (&load->lock);
    }
  g_clear_object (&view.session);

  return NULL;
}

TxLoad *
tx_load_start (TxNode    *node,
               TxPatient *patient,
               guint      n_threads,
               GArray    *acked)
{
  TxLoad *load = g_new0 (TxLoad, 1);

  load->node = node;
  load->patient = patient;
  load->acked = acked;
  g_mutex_init (&load->lock);
  load->threads = g_ptr_array_new ();
  for (guint i = 0; i < n_threads; i++)
    g_ptr_array_add (load->threads, g_thread_new ("loader", load_thread, load));

  return load;
}

guint
tx_load_count_acked (TxLoad *load)
{
  guint count;

  g_mutex_lock (&load->lock);
  count = load->acked->len;
  g_mutex_unlock (&load->lock);

  return count;
}

void
tx_load_finish (TxLoad *load)
{
  g_atomic_int_set (&load->stop, TRUE);
  for (guint i = 0; i < load->threads->len; i++)
    g_thread_join (g_ptr_array_index (load->threads, i));
  g_ptr_array_unref (load->threads);
  g_mutex_clear (&load->lock);
  g_free (load);
}

void
tx_assert_acked_logged (CwLogTree *tree,
                        guint64    size,
                        GArray    *acked)
{
  for (guint i = 0; i < acked->len; i++)
    {
      TxAcked *item = &g_array_index (acked, TxAcked, i);
      guint8 leaf[CW_MERKLE_HASH_SIZE];
      guint8 stored[CW_MERKLE_HASH_SIZE];

      g_assert_cmpuint (item->index, <, size);
      cw_merkle_hash_leaf (item->id, sizeof item->id, leaf);
      g_assert_true (cw_log_tree_get_node_hash (tree, 0, item->index, stored, NULL));
      g_assert_cmpmem (leaf, sizeof leaf, stored, sizeof stored);
    }
}

/* gen-corpus.c: writes the generated seeds of tests/fuzz/corpus/ (valid
 * examples made with the fixed keys of fuzz-common.h, and the Merkle test
 * vectors in the merkle harness's input layout).
 *
 * Usage: fuzz-gen-corpus OUTDIR [TESTVECTORS_DIR]
 * Seeds copied verbatim from the shared test vectors are kept by hand.
 */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "fuzz-common.h"
#include "fuzz-node-common.h"

#include "cw-backup.h"
#include "cw-checkpoint.h"
#include "cw-cosignature.h"
#include "cw-dsse.h"
#include "cw-encoding.h"
#include "cw-http-signature.h"
#include "cw-log-tree.h"
#include "cw-merkle.h"
#include "cw-note.h"
#include "cw-tiles.h"
#include "cw-tlog-proof.h"
#include "cw-tx.h"

static const char *outdir;

static void
write_seed (const char *harness,
            const char *name,
            const void *data,
            gsize       len)
{
  g_autofree char *dir = g_build_filename (outdir, harness, NULL);
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  if (g_mkdir_with_parents (dir, 0755) != 0)
    g_error ("mkdir %s: %s", dir, g_strerror (errno));
  if (!g_file_set_contents (path, data, len, &error))
    g_error ("%s", error->message);
}

static void
write_text (const char *harness,
            const char *name,
            const char *text)
{
  write_seed (harness, name, text, strlen (text));
}

/* A header byte or two, then @data. */
static void
write_prefixed (const char   *harness,
                const char   *name,
                const guint8 *prefix,
                gsize         prefix_len,
                const void   *data,
                gsize         len)
{
  g_autoptr(GByteArray) seed = g_byte_array_new ();

  g_byte_array_append (seed, prefix, prefix_len);
  g_byte_array_append (seed, data, len);
  write_seed (harness, name, seed->data, seed->len);
}

static CwCheckpoint *
make_checkpoint (guint64             size,
                 const char * const *extensions)
{
  guint8 root[CW_CHECKPOINT_HASH_SIZE];

  cw_sha256 ((const guint8 *) &size, sizeof size, root);
  return cw_checkpoint_new (FUZZ_LOG_ORIGIN, size, root, extensions, NULL);
}

static char *
cosign (const char *signed_note,
        guint       n_witnesses)
{
  GString *out = g_string_new (signed_note);
  const char *end = strstr (signed_note, "\n\n");
  gsize body_len = end - signed_note + 1;

  for (guint i = 1; i <= n_witnesses; i++)
    {
      g_autoptr(CwSigningKey) witness = fuzz_witness_key (i);
      g_autofree char *line = cw_cosignature_sign_line (witness, signed_note, body_len,
                                                        1700000000 + i, NULL);

      g_string_append (out, line);
    }

  return g_string_free (out, FALSE);
}

static void
gen_notes_and_checkpoints (void)
{
  g_autoptr(CwSigningKey) log_key = fuzz_log_key ();
  g_autoptr(CwSigningKey) any = fuzz_any_key ();
  g_autoptr(CwSigningKey) stranger = fuzz_signing_key ("stranger", CW_KEY_TYPE_ED25519, 0x55);
  const char *ext[] = { "extension line", NULL };
  struct { const char *name; guint64 size; const char * const *ext; guint n_witnesses; } cps[] = {
    { "size0", 0, NULL, 0 },
    { "size1-w1", 1, NULL, 1 },
    { "size41-w2", 41, NULL, 2 },
    { "size-max-w2", G_MAXUINT64, NULL, 2 },
    { "ext-w1", 1234067, ext, 1 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cps); i++)
    {
      g_autoptr(CwCheckpoint) cp = make_checkpoint (cps[i].size, cps[i].ext);
      g_autofree char *text = cw_checkpoint_format (cp);
      g_autofree char *signed_note = cw_checkpoint_sign (cp, log_key, NULL);
      g_autofree char *cosigned = cosign (signed_note, cps[i].n_witnesses);
      g_autofree char *name = g_strconcat ("gen-", cps[i].name, NULL);
      g_autofree char *name_signed = g_strconcat ("gen-signed-", cps[i].name, NULL);

      write_text ("checkpoint", name, text);
      write_text ("checkpoint", name_signed, cosigned);
      if (i < 3)
        {
          write_text ("note", name_signed, cosigned);
          write_text ("cosignature", name_signed, cosigned);
        }

      /* The tlog-proof seeds wrap some of these checkpoints. */
      if (i == 1 || i == 2 || i == 4)
        {
          g_autoptr(GPtrArray) proof = cw_merkle_proof_new ();
          g_autoptr(GBytes) extra = i == 4 ? g_bytes_new_static ("extra", 5) : NULL;
          g_autoptr(CwTlogProof) tlog_proof = NULL;
          g_autofree char *bundle = NULL;
          g_autofree char *proof_name = g_strconcat ("gen-", cps[i].name, NULL);

          for (guint j = 0; j < i; j++)
            {
              guint8 hash[CW_MERKLE_HASH_SIZE];

              memset (hash, j + 1, sizeof hash);
              cw_merkle_proof_add (proof, hash);
            }
          tlog_proof = cw_tlog_proof_new (i * 7, proof, cosigned, extra);
          bundle = cw_tlog_proof_format (tlog_proof);
          write_text ("tlog-proof", proof_name, bundle);
        }
    }

  /* Notes for the note harness: accepted-unchecked key, several signers,
   * an unknown signer. */
  {
    const char *text = "If you think cryptography is the answer to your problem,\n"
                       "then you don't know what your problem is.\n";
    CwSigningKey *one[] = { any };
    CwSigningKey *three[] = { any, log_key, stranger };
    CwSigningKey *unknown[] = { stranger };
    g_autofree char *a = cw_note_sign (text, one, 1, NULL);
    g_autofree char *b = cw_note_sign (text, three, 3, NULL);
    g_autofree char *c = cw_note_sign (text, unknown, 1, NULL);
    g_autofree char *d = cw_note_sign ("\xe2\x80\x94 unicode text \xc3\xa9\n\nwith a blank line\n", one, 1, NULL);

    write_text ("note", "gen-any", a);
    write_text ("note", "gen-three-signers", b);
    write_text ("note", "gen-unknown-signer", c);
    write_text ("note", "gen-unicode", d);
  }

  /* Cosignature blobs: [length][timestamp || signature][body]. */
  {
    g_autoptr(CwSigningKey) witness = fuzz_witness_key (1);
    g_autoptr(CwCheckpoint) cp = make_checkpoint (5, NULL);
    g_autofree char *body = cw_checkpoint_format (cp);
    guint8 sig[CW_COSIGNATURE_SIZE];
    guint8 prefix = CW_COSIGNATURE_SIZE;

    if (!cw_cosignature_sign (witness, body, strlen (body), 1700000000, sig, NULL))
      g_error ("cosign");
    {
      g_autoptr(GByteArray) seed = g_byte_array_new ();

      g_byte_array_append (seed, &prefix, 1);
      g_byte_array_append (seed, sig, sizeof sig);
      g_byte_array_append (seed, (const guint8 *) body, strlen (body));
      write_seed ("cosignature", "gen-blob", seed->data, seed->len);
    }
    if (!cw_cosignature_sign (witness, body, strlen (body), CW_COSIGNATURE_MAX_TIME, sig, NULL))
      g_error ("cosign");
    {
      g_autoptr(GByteArray) seed = g_byte_array_new ();

      g_byte_array_append (seed, &prefix, 1);
      g_byte_array_append (seed, sig, sizeof sig);
      g_byte_array_append (seed, (const guint8 *) body, strlen (body));
      write_seed ("cosignature", "gen-blob-max-time", seed->data, seed->len);
    }
  }
}

static void
gen_tiles (void)
{
  const CwTile tiles[] = {
    { 0, 0, 256 }, { 0, 1234067, 256 }, { 1, 5, 17 }, { 63, G_MAXUINT64 / 256, 1 },
    { CW_TILE_LEVEL_ENTRIES, 0, 1 }, { CW_TILE_LEVEL_ENTRIES, 1000, 255 }, { 2, 999, 256 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (tiles); i++)
    {
      g_autofree char *path = cw_tile_path (&tiles[i]);
      g_autofree char *name = g_strdup_printf ("gen-%u", i);

      if (path == NULL)
        g_error ("tile %u", i);
      write_text ("tile-path", name, path);
    }

  for (guint n = 0; n <= 3; n++)
    {
      g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
      g_autoptr(GBytes) bundle = NULL;
      g_autofree char *name = g_strdup_printf ("gen-%u", n);
      guint8 prefix[3] = { 0, n, n == 3 ? 0 : 32 };

      for (guint i = 0; i < n; i++)
        {
          guint8 id[32];

          memset (id, 0xa0 + i, sizeof id);
          g_ptr_array_add (entries, g_bytes_new (id, n == 3 && i == 1 ? 5 : sizeof id));
        }
      bundle = cw_entry_bundle_build (entries, NULL);
      write_prefixed ("entry-bundle", name, prefix, sizeof prefix,
                      g_bytes_get_data (bundle, NULL), g_bytes_get_size (bundle));
    }
}

static GPtrArray *
gen_transactions (void)
{
  g_autoptr(CwSigningKey) patient = fuzz_patient_key ();
  GPtrArray *payloads = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GDateTime) time = g_date_time_new_utc (2024, 5, 1, 12, 0, 0);
  g_autoptr(GDateTime) expires = g_date_time_new_utc (2025, 5, 1, 12, 0, 0);
  const guint8 *pk = cw_signing_key_get_public_key (patient);
  guint8 other[32], id[32], nonce[16];
  CwTxCommon c0 = { pk, 0, NULL, time, nonce };
  CwTxCommon c1 = { pk, 1, id, time, nonce };
  CwTxCommon cp = { pk, 0, NULL, time, nonce };
  const char *names[] = { "enroll", "grant", "grant-minimal", "revoke", "deny", "rotate",
                          "request", "access" };
  CwTx *txs[8];

  memset (other, 0x77, sizeof other);
  memset (id, 0x88, sizeof id);
  memset (nonce, 0x99, sizeof nonce);

  txs[0] = cw_tx_new_enroll (&c0, other, "INV-7f3a!x", "st-olaf-clinic", NULL);
  txs[1] = cw_tx_new_grant (&c1, "st-olaf-clinic",
                            CW_SCOPE_LAB_RESULTS | CW_SCOPE_ALLERGIES | CW_SCOPE_MENTAL_HEALTH,
                            CW_PURPOSE_TREAT, CW_ACCESS_VIEW | CW_ACCESS_STORE,
                            "2020-01-01", "2024-12-31", expires, id, NULL);
  txs[2] = cw_tx_new_grant (&c1, "lab-2", CW_SCOPE_SUMMARY, CW_PURPOSE_COVERAGE, CW_ACCESS_VIEW,
                            NULL, NULL, expires, NULL, NULL);
  txs[3] = cw_tx_new_revoke (&c1, id, NULL);
  txs[4] = cw_tx_new_deny (&c1, id, NULL);
  txs[5] = cw_tx_new_rotate (&c1, other, other, NULL);
  txs[6] = cw_tx_new_request (&cp, "lab-2", CW_SCOPE_IMAGING | CW_SCOPE_VITALS, CW_PURPOSE_HRESCH,
                              CW_ACCESS_STORE, expires, "Follow-up \xc3\xa9tude \"quoted\"", NULL);
  txs[7] = cw_tx_new_access (&cp, "lab-2", id, CW_SCOPE_IMAGING, CW_PURPOSE_TREAT, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (txs); i++)
    {
      g_autoptr(GBytes) payload = NULL;
      g_autofree char *name = g_strconcat ("gen-", names[i], NULL);

      if (txs[i] == NULL)
        g_error ("tx %s", names[i]);
      payload = cw_tx_to_payload (txs[i]);
      write_seed ("tx", name, g_bytes_get_data (payload, NULL), g_bytes_get_size (payload));
      write_seed ("canonical-json", name, g_bytes_get_data (payload, NULL), g_bytes_get_size (payload));
      g_ptr_array_add (payloads, g_steal_pointer (&payload));
      cw_tx_unref (txs[i]);
    }

  return payloads;
}

static void
gen_dsse (GPtrArray *payloads)
{
  g_autoptr(CwSigningKey) patient = fuzz_patient_key ();
  g_autoptr(CwSigningKey) other = fuzz_signing_key ("other", CW_KEY_TYPE_ED25519, 0x66);

  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(CwDsseEnvelope) envelope = cw_dsse_envelope_sign (g_ptr_array_index (payloads, i),
                                                                  i == 2 ? other : patient, NULL);
      g_autofree char *json = NULL;
      g_autofree char *name = g_strdup_printf ("gen-%u", i);
      gsize len;

      if (i == 1 && !cw_dsse_envelope_add_signature (envelope, other, NULL))
        g_error ("dsse");
      json = cw_dsse_envelope_to_json (envelope, &len);
      write_seed ("dsse", name, json, len);
      if (i == 0)
        {
          g_autofree char *spaced = g_strdup_printf (" %s\n", json);

          write_text ("dsse", "gen-spaced", spaced);
          write_text ("canonical-json", "gen-envelope", json);
        }
    }
}

static void
gen_http_signatures (void)
{
  g_autoptr(CwSigningKey) key = fuzz_patient_key ();
  g_autoptr(CwHttpRequest) request = cw_http_request_new ("GET", "https", "node.example.org",
                                                          "/v1/patients/abc/grants", "after=3", NULL);
  g_autofree char *keyid = cw_dsse_key_id (cw_signing_key_get_public_key (key));
  g_autoptr(CwHttpSignatureParams) params = cw_http_signature_params_new_for_node (1700000000, keyid, NULL);
  g_autoptr(CwHttpSignatureParams) params2 = cw_http_signature_params_new ();
  g_autofree char *input = NULL;
  g_autofree char *signature = NULL;
  g_autofree char *input2 = NULL;
  g_autofree char *signature2 = NULL;
  g_autofree char *seed = NULL;
  g_autofree char *seed2 = NULL;

  if (!cw_http_request_add_header (request, "content-type", "application/json", NULL) ||
      !cw_http_signature_sign (request, params, "sig1", key, &input, &signature, NULL))
    g_error ("http sign");
  seed = g_strdup_printf ("%s\n%s", input, signature);
  write_text ("http-signature", "gen-node", seed);

  cw_http_signature_params_add_component (params2, "@target-uri", NULL);
  cw_http_signature_params_add_component (params2, "content-type", NULL);
  cw_http_signature_params_set_created (params2, 1);
  cw_http_signature_params_set_expires (params2, 2);
  cw_http_signature_params_set_tag (params2, "app", NULL);
  if (!cw_http_signature_sign (request, params2, "a", key, &input2, &signature2, NULL))
    g_error ("http sign");
  seed2 = g_strdup_printf ("%s, b=(\"@method\");created=7;x=?0\n%s, b=:%s:", input2, signature2,
                           "AAAA");
  write_text ("http-signature", "gen-two", seed2);
}

static void
gen_keys (void)
{
  g_autoptr(CwSigningKey) log_key = fuzz_log_key ();
  g_autoptr(CwSigningKey) witness = fuzz_witness_key (1);
  char *secret;
  g_autofree char *verifier = cw_verifier_key_to_string (cw_signing_key_get_verifier (log_key));
  g_autofree char *cosigner = cw_verifier_key_to_string (cw_signing_key_get_verifier (witness));

  write_text ("key", "gen-verifier", verifier);
  write_text ("key", "gen-cosignature-verifier", cosigner);
  secret = cw_signing_key_to_string (log_key);
  write_text ("key", "gen-signer", secret);
  cw_secure_string_free (secret);
  secret = cw_signing_key_to_string (witness);
  write_text ("key", "gen-cosignature-signer", secret);
  cw_secure_string_free (secret);
}

static void
gen_encoding (void)
{
  const char *seeds[] = { "", "Zg==", "Zm8=", "Zm9v", "-_8", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
                          "00ff10ab", "0", "18446744073709551615", "9007199254740991" };

  for (guint i = 0; i < G_N_ELEMENTS (seeds); i++)
    {
      g_autofree char *name = g_strdup_printf ("gen-%u", i);

      write_text ("encoding", name, seeds[i]);
    }
}

static void
seal_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static void
gen_backup (void)
{
  g_autoptr(CwSigningKey) identity = fuzz_patient_key ();
  g_autoptr(CwSigningKey) log_key = fuzz_log_key ();
  g_autoptr(CwSigningKey) witness = fuzz_witness_key (1);
  g_autofree char *log_text = cw_verifier_key_to_string (cw_signing_key_get_verifier (log_key));
  g_autofree char *witness_text = cw_verifier_key_to_string (cw_signing_key_get_verifier (witness));
  g_autofree char *patient = cw_base64_encode (cw_signing_key_get_public_key (identity), 32);
  const char *witnesses[] = { witness_text, NULL };
  g_autoptr(CwNodeProfile) profile = cw_node_profile_new ("https://node.example.org", "sha256/AAAA",
                                                          log_text, witnesses, 1, NULL);
  g_autoptr(CwBackup) backup = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GBytes) file = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *json = NULL;
  g_autofree char *profile_json = NULL;
  g_autoptr(GByteArray) plain = g_byte_array_new ();
  guint8 prefix[2] = { 1, 255 };
  guint8 raw = 0x0e;

  if (profile == NULL)
    g_error ("profile");
  backup = cw_backup_new (identity, patient, patient, profile);
  cw_backup_set_ops_limit (backup, crypto_pwhash_OPSLIMIT_MIN);
  cw_backup_set_mem_limit (backup, crypto_pwhash_MEMLIMIT_MIN);
  cw_backup_seal_async (backup, "fuzz", NULL, seal_done, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  file = cw_backup_seal_finish (backup, result, NULL);
  if (file == NULL)
    g_error ("seal");
  write_prefixed ("backup", "gen-file", &raw, 1, g_bytes_get_data (file, NULL), g_bytes_get_size (file));

  node = cw_node_profile_to_json (profile);
  profile_json = json_to_string (node, FALSE);
  json = g_strdup_printf ("{\"key_name\":\"patient\",\"patient\":\"%s\",\"recovery_key\":\"%s\","
                          "\"node\":%s,\"unknown\":[1,2.5,null]}",
                          patient, patient, profile_json);
  g_byte_array_append (plain, cw_signing_key_peek_seed (identity), 32);
  g_byte_array_append (plain, (const guint8 *) json, strlen (json));
  write_prefixed ("backup", "gen-plain", prefix, sizeof prefix, plain->data, plain->len);
  prefix[1] = 2;
  write_prefixed ("backup", "gen-plain-chunked", prefix, sizeof prefix, plain->data, plain->len);
}

static void
append_be64 (GByteArray *out,
             guint64     value)
{
  for (guint i = 0; i < 8; i++)
    {
      guint8 b = (guint8) (value >> (56 - 8 * i));

      g_byte_array_append (out, &b, 1);
    }
}

static void
append_b64 (GByteArray *out,
            JsonObject *object,
            const char *member)
{
  const char *text = json_object_get_string_member_with_default (object, member, "");
  g_autoptr(GBytes) bytes = cw_base64_decode (text, -1, NULL);
  guint8 hash[32] = { 0, };

  if (bytes != NULL)
    memcpy (hash, g_bytes_get_data (bytes, NULL), MIN (32, g_bytes_get_size (bytes)));
  g_byte_array_append (out, hash, sizeof hash);
}

/* A few transparency-dev vectors in the merkle harness's layout, and
 * seeds of its real-tree mode. */
static void
gen_merkle (const char *vectors)
{
  const char *files[] = { "inclusion/1/happy-path.json", "inclusion/4/happy-path.json",
                          "inclusion/2/wrong-leaf.json", "consistency/1/happy-path.json",
                          "consistency/3/happy-path.json", "consistency/2/truncated-proof.json" };

  for (guint i = 0; vectors != NULL && i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *path = g_build_filename (vectors, "merkle", files[i], NULL);
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GByteArray) seed = g_byte_array_new ();
      g_autofree char *name = g_strdup_printf ("vector-%u", i);
      gboolean consistency = g_str_has_prefix (files[i], "consistency");
      guint8 mode = consistency ? 5 : 4;
      JsonObject *object;
      JsonArray *proof;

      if (!json_parser_load_from_file (parser, path, NULL))
        g_error ("cannot read %s", path);
      object = json_node_get_object (json_parser_get_root (parser));
      g_byte_array_append (seed, &mode, 1);
      append_be64 (seed, json_object_get_int_member (object, consistency ? "size1" : "leafIdx"));
      append_be64 (seed, json_object_get_int_member (object, consistency ? "size2" : "treeSize"));
      append_b64 (seed, object, consistency ? "root1" : "leafHash");
      append_b64 (seed, object, consistency ? "root2" : "root");
      proof = json_object_get_array_member (object, "proof");
      for (guint j = 0; proof != NULL && j < json_array_get_length (proof); j++)
        {
          g_autoptr(GBytes) hash = cw_base64_decode (json_array_get_string_element (proof, j), -1, NULL);

          if (hash != NULL)
            g_byte_array_append (seed, g_bytes_get_data (hash, NULL), g_bytes_get_size (hash));
        }
      write_seed ("merkle", name, seed->data, seed->len);
    }

  /* Real-tree mode: genuine proofs of the harness's 64-leaf tree. */
  {
    g_autoptr(CwLogTree) tree = cw_log_tree_new ();
    struct { guint8 mode, a, b; } cases[] = { { 2, 5, 13 }, { 2, 0, 1 }, { 2, 63, 64 },
                                              { 3, 6, 8 }, { 3, 1, 64 }, { 3, 7, 7 } };

    for (guint64 i = 0; i < 64; i++)
      {
        guint8 entry[8];

        for (guint j = 0; j < 8; j++)
          entry[j] = (guint8) (i >> (56 - 8 * j));
        cw_log_tree_append (tree, entry, sizeof entry);
      }
    for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
      {
        g_autoptr(GPtrArray) proof = cases[i].mode == 2
          ? cw_log_tree_prove_inclusion (tree, cases[i].a, cases[i].b, NULL)
          : cw_log_tree_prove_consistency (tree, cases[i].a, cases[i].b, NULL);
        g_autoptr(GByteArray) seed = g_byte_array_new ();
        g_autofree char *name = g_strdup_printf ("gen-real-%u", i);

        g_byte_array_append (seed, (const guint8 *) &cases[i], 3);
        for (guint j = 0; j < proof->len; j++)
          g_byte_array_append (seed, g_bytes_get_data (g_ptr_array_index (proof, j), NULL), 32);
        write_seed ("merkle", name, seed->data, seed->len);
      }
  }
}

/* Witness requests from the cosigned base size: mode byte 1 (the harness
 * signs the checkpoint text), and one fully signed with mode byte 0. */
static void
gen_witness (void)
{
  g_autoptr(CwLogTree) tree = fuzz_witness_tree ();
  const guint64 sizes[] = { FUZZ_WITNESS_BASE_SIZE, 8, 13, FUZZ_WITNESS_TREE_SIZE };

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autoptr(GPtrArray) proof = NULL;
      g_autofree char *text = fuzz_witness_checkpoint_text (tree, sizes[i]);
      g_autoptr(GString) body = g_string_new ("\x01");
      g_autofree char *name = g_strdup_printf ("gen-consistent-%" G_GUINT64_FORMAT, sizes[i]);

      proof = cw_log_tree_prove_consistency (tree, FUZZ_WITNESS_BASE_SIZE, sizes[i], NULL);
      g_string_append_printf (body, "old %u\n", FUZZ_WITNESS_BASE_SIZE);
      for (guint j = 0; proof != NULL && j < proof->len; j++)
        {
          GBytes *hash = g_ptr_array_index (proof, j);
          g_autofree char *line = cw_base64_encode (g_bytes_get_data (hash, NULL), 32);

          g_string_append_printf (body, "%s\n", line);
        }
      g_string_append_printf (body, "\n%s", text);
      write_seed ("witness", name, body->str, body->len);

      if (sizes[i] == 13)
        {
          g_autoptr(CwSigningKey) log_key = fuzz_log_key ();
          CwSigningKey *signers[] = { log_key };
          g_autofree char *note = cw_note_sign (text, signers, 1, NULL);
          gsize blank = strstr (body->str, "\n\n") - body->str + 2;

          g_string_truncate (body, blank);
          body->str[0] = '\0';
          g_string_append (body, note);
          write_seed ("witness", "gen-signed-13", body->str, body->len);
        }
    }
  write_text ("witness", "gen-old-size", "\x01old 3\n\nfuzz.example/log\n9\n"
              "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n");
}

typedef struct {
  const char *name;
  guint8 mode;
  CwTx *tx;
} TxSeed;

/* Payloads signed by the harness (mode bytes 1 to 3) that follow the
 * fixed enrollment, and the enrollment itself as an envelope (mode 0). */
static void
gen_node_tx (void)
{
  g_autoptr(CwSigningKey) patient = fuzz_patient_key ();
  g_autoptr(CwSigningKey) recovery = fuzz_node_recovery_key ();
  g_autoptr(CwSigningKey) provider = fuzz_node_provider_key ();
  g_autoptr(CwTx) enroll = fuzz_node_enroll_tx (patient, recovery);
  g_autoptr(GBytes) envelope = fuzz_node_sign_tx (enroll, patient);
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_utc (FUZZ_NODE_TIME + 60);
  g_autoptr(GDateTime) expires = g_date_time_new_from_unix_utc (FUZZ_NODE_TIME + 86400 * 30);
  guint8 enroll_id[CW_TX_ID_SIZE];
  guint8 nonce[CW_TX_NONCE_SIZE];
  CwTxCommon next = { cw_signing_key_get_public_key (patient), 1, enroll_id, time, nonce };
  CwTxCommon provider_common = { cw_signing_key_get_public_key (patient), 0, NULL, time, nonce };
  TxSeed seeds[8];
  guint n = 0;

  memset (nonce, 0x77, sizeof nonce);
  cw_tx_compute_id (enroll, enroll_id);
  write_prefixed ("node-tx", "gen-enroll-envelope", (const guint8 *) "\x00", 1,
                  g_bytes_get_data (envelope, NULL), g_bytes_get_size (envelope));

  seeds[n++] = (TxSeed) { "gen-grant", 1,
    cw_tx_new_grant (&next, FUZZ_NODE_PROVIDER, CW_SCOPE_SUMMARY | CW_SCOPE_ALLERGIES,
                     CW_PURPOSE_TREAT, CW_ACCESS_VIEW, NULL, NULL, expires, NULL, NULL) };
  seeds[n++] = (TxSeed) { "gen-revoke", 1, cw_tx_new_revoke (&next, enroll_id, NULL) };
  seeds[n++] = (TxSeed) { "gen-deny", 1, cw_tx_new_deny (&next, enroll_id, NULL) };
  seeds[n++] = (TxSeed) { "gen-rotate", 1,
    cw_tx_new_rotate (&next, cw_signing_key_get_public_key (provider), NULL, NULL) };
  seeds[n++] = (TxSeed) { "gen-request", 2,
    cw_tx_new_request (&provider_common, FUZZ_NODE_PROVIDER, CW_SCOPE_LAB_RESULTS,
                       CW_PURPOSE_TREAT, CW_ACCESS_VIEW, expires, "Follow-up", NULL) };
  seeds[n++] = (TxSeed) { "gen-access", 2,
    cw_tx_new_access (&provider_common, FUZZ_NODE_PROVIDER, enroll_id, CW_SCOPE_SUMMARY,
                      CW_PURPOSE_TREAT, NULL) };
  {
    guint8 new_key[CW_PUBLIC_KEY_SIZE];

    memset (new_key, 0x99, sizeof new_key);
    seeds[n++] = (TxSeed) { "gen-rotate-recovery", 3,
      cw_tx_new_rotate (&next, new_key, NULL, NULL) };
  }
  {
    g_autoptr(GDateTime) enroll_time = g_date_time_new_from_unix_utc (FUZZ_NODE_TIME + 120);
    CwTxCommon other = { cw_signing_key_get_public_key (provider), 0, NULL, enroll_time, nonce };

    /* Signed with the patient's key, so the new patient's signature fails;
     * the fuzzer finds its way from here. */
    seeds[n++] = (TxSeed) { "gen-enroll-other", 1,
      cw_tx_new_enroll (&other, cw_signing_key_get_public_key (recovery), FUZZ_NODE_INVITE_2,
                        FUZZ_NODE_PROVIDER, NULL) };
  }

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GBytes) payload = NULL;

      if (seeds[i].tx == NULL)
        g_error ("gen-corpus: %s did not build", seeds[i].name);
      payload = cw_tx_to_payload (seeds[i].tx);
      write_prefixed ("node-tx", seeds[i].name, &seeds[i].mode, 1,
                      g_bytes_get_data (payload, NULL), g_bytes_get_size (payload));
      cw_tx_unref (seeds[i].tx);
    }
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GPtrArray) payloads = NULL;

  if (argc < 2)
    {
      g_printerr ("Usage: %s OUTDIR [TESTVECTORS_DIR]\n", argv[0]);
      return 2;
    }
  outdir = argv[1];
  if (sodium_init () < 0)
    return 1;

  gen_notes_and_checkpoints ();
  gen_tiles ();
  payloads = gen_transactions ();
  gen_dsse (payloads);
  gen_http_signatures ();
  gen_keys ();
  gen_encoding ();
  gen_backup ();
  gen_merkle (argc > 2 ? argv[2] : NULL);
  gen_witness ();
  gen_node_tx ();

  return 0;
}

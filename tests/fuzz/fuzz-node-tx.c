/* fuzz-node-tx.c: the body of POST /v1/tx as the node handles it, up to
 * the decision: cw_node_submission_prepare() (strict DSSE and payload
 * parsing, signature verification with the keys the store knows) and then
 * the consent rules (node/cw-node-rules.c) in a batch that is never
 * committed, so every input meets the same state.
 *
 * The state is a real SQLite node store in a temporary directory with one
 * provider (FUZZ_NODE_PROVIDER) and one patient, enrolled through the real
 * sequencer (fuzz-node-common.h makes the same enrollment for the corpus
 * generator). The first input byte is a mode: 0 feeds the rest as the
 * envelope; 1, 2 and 3 treat it as a payload and sign it with the
 * patient's current key, the provider's key or the patient's recovery key,
 * so that fuzzed payloads reach the rules behind the signature check.
 *
 * Invariants: a refusal leaves an error in a known domain; an accepted
 * submission is the batch's next entry (or a duplicate of a logged one),
 * was signed by a key prepare() verified, and has an outcome that fits its
 * type. */
#include "config.h"

#include <glib/gstdio.h>

#include "fuzz-common.h"
#include "fuzz-node-common.h"

#include "cw-canonical-json.h"
#include "cw-node-invite.h"
#include "cw-node-provider.h"
#include "cw-node-rules.h"
#include "cw-node-sequencer.h"
#include "cw-node-store-sqlite.h"
#include "cw-node-submission.h"

static char *tmpdir;
static char *db_path;
static CwNodeStore *store;
static CwSigningKey *patient_key;
static CwSigningKey *recovery_key;
static CwSigningKey *provider_key;
static guint64 log_size;

static void
die (const char *what,
     GError     *error)
{
  fprintf (stderr, "fuzz-node-tx: %s: %s\n", what, error != NULL ? error->message : "failed");
  abort ();
}

static void
submitted_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  CwNodeSubmission **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = cw_node_sequencer_submit_finish (CW_NODE_SEQUENCER (source), result, &error);
  if (*out == NULL)
    die ("submitting the enrollment", error);
}

/* Logs the fixed enrollment through the sequencer, as a node would. */
static void
enroll_patient (CwSigningKey *log_key)
{
  g_autoptr(CwNodeSequencer) sequencer = NULL;
  g_autoptr(CwNodeSubmission) submission = NULL;
  g_autoptr(GBytes) envelope = fuzz_node_enroll_envelope (patient_key, recovery_key);
  g_autoptr(GError) error = NULL;

  sequencer = cw_node_sequencer_new (store, FUZZ_LOG_ORIGIN, log_key, 1, 1, &error);
  if (sequencer == NULL)
    die ("starting the sequencer", error);
  cw_node_sequencer_start (sequencer);
  cw_node_sequencer_submit_async (sequencer, envelope, NULL, submitted_cb, &submission);
  while (submission == NULL)
    g_main_context_iteration (NULL, TRUE);
  if (submission->error != NULL)
    die ("enrolling the patient", submission->error);
  cw_node_sequencer_stop (sequencer);
}

static void
cleanup (void)
{
  const char *suffixes[] = { "", "-wal", "-shm", "-journal" };

  g_clear_object (&store);
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *path = g_strconcat (db_path, suffixes[i], NULL);

      g_unlink (path);
    }
  g_rmdir (tmpdir);
}

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_autoptr(CwSigningKey) log_key = NULL;
  g_autoptr(CwNodeProvider) provider = NULL;
  g_autoptr(GBytes) public_key = NULL;
  g_autoptr(GError) error = NULL;
  guint8 empty_root[CW_NODE_STORE_HASH_SIZE];
  guint8 code_hash[CW_NODE_STORE_HASH_SIZE];
  guint8 root[CW_NODE_STORE_HASH_SIZE];

  fuzz_init ();
  log_key = fuzz_log_key ();
  patient_key = fuzz_patient_key ();
  recovery_key = fuzz_node_recovery_key ();
  provider_key = fuzz_node_provider_key ();

  tmpdir = g_dir_make_tmp ("fuzz-node-tx-XXXXXX", NULL);
  if (tmpdir == NULL)
    abort ();
  db_path = g_build_filename (tmpdir, "node.db", NULL);
  atexit (cleanup);

  store = cw_node_store_sqlite_new (db_path, TRUE, &error);
  cw_sha256 (NULL, 0, empty_root);
  if (store == NULL || !cw_node_store_initialize (store, FUZZ_LOG_ORIGIN, empty_root, &error))
    die ("creating the store", error);

  public_key = g_bytes_new (cw_signing_key_get_public_key (provider_key), CW_PUBLIC_KEY_SIZE);
  provider = cw_node_provider_new (FUZZ_NODE_PROVIDER, "Fuzz Clinic", "Fuzz Health",
                                   CW_NODE_PROVIDER_KIND_PRACTICE, public_key,
                                   FUZZ_NODE_TIME - 86400, &error);
  if (provider == NULL || !cw_node_store_add_provider (store, provider, &error))
    die ("adding the provider", error);
  if (!cw_node_invite_hash_code (FUZZ_NODE_INVITE, code_hash, &error) ||
      !cw_node_store_add_invite (store, code_hash, FUZZ_NODE_PROVIDER, FUZZ_NODE_TIME - 3600,
                                 G_MAXINT32, &error))
    die ("adding the invite", error);
  /* A second, unused invite, so that fuzzed enrollments can pass. */
  if (!cw_node_invite_hash_code (FUZZ_NODE_INVITE_2, code_hash, &error) ||
      !cw_node_store_add_invite (store, code_hash, FUZZ_NODE_PROVIDER, FUZZ_NODE_TIME - 3600,
                                 G_MAXINT32, &error))
    die ("adding the invite", error);

  enroll_patient (log_key);
  if (!cw_node_store_get_tree_head (store, &log_size, root, &error))
    die ("reading the tree head", error);

  return 0;
}

static GBytes *
sign_payload (const guint8 *data,
              gsize         size,
              CwSigningKey *key)
{
  g_autoptr(GBytes) payload = g_bytes_new (data, size);
  g_autoptr(CwDsseEnvelope) envelope = NULL;
  gsize len = 0;
  char *json;

  envelope = cw_dsse_envelope_sign (payload, key, NULL);
  if (envelope == NULL)
    return NULL;
  json = cw_dsse_envelope_to_json (envelope, &len);

  return g_bytes_new_take (json, len);
}

static gboolean
was_verified (CwNodeSubmission *submission,
              CwSigningKey     *key)
{
  for (guint i = 0; i < submission->n_verified; i++)
    if (memcmp (submission->verified[i], cw_signing_key_get_public_key (key),
                CW_PUBLIC_KEY_SIZE) == 0)
      return TRUE;

  return FALSE;
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GBytes) body = NULL;
  g_autoptr(CwNodeSubmission) submission = NULL;
  g_autoptr(CwNodeRules) rules = NULL;
  g_autoptr(CwNodeBatch) batch = NULL;
  g_autoptr(GError) error = NULL;
  CwTxType type;
  gboolean applied;

  if (size < 1)
    return 0;

  switch (data[0] & 3)
    {
    case 0:
      body = g_bytes_new (data + 1, size - 1);
      break;
    case 1:
      body = sign_payload (data + 1, size - 1, patient_key);
      break;
    case 2:
      body = sign_payload (data + 1, size - 1, provider_key);
      break;
    default:
      body = sign_payload (data + 1, size - 1, recovery_key);
      break;
    }
  if (body == NULL)
    return 0;

  submission = cw_node_submission_new (body);
  cw_node_submission_prepare (submission, store);
  if (submission->error != NULL)
    {
      FUZZ_ASSERT (submission->tx == NULL || submission->envelope != NULL);
      FUZZ_ASSERT (submission->error->domain == CW_DSSE_ERROR ||
                   submission->error->domain == CW_TX_ERROR ||
                   submission->error->domain == CW_CANONICAL_JSON_ERROR);
      return 0;
    }
  FUZZ_ASSERT (submission->envelope != NULL && submission->tx != NULL);

  rules = cw_node_rules_new (store);
  cw_node_rules_begin (rules, log_size, FUZZ_NODE_TIME + 600);
  applied = cw_node_rules_apply (rules, submission, &error);
  batch = cw_node_rules_finish (rules);
  FUZZ_ASSERT (batch != NULL);

  if (!applied)
    {
      FUZZ_ASSERT (error != NULL);
      /* The store is a local file that works: only rule refusals. */
      FUZZ_ASSERT (error->domain == CW_NODE_RULES_ERROR);
      FUZZ_ASSERT (!submission->has_head ||
                   error->code == CW_NODE_RULES_ERROR_CHAIN_CONFLICT);
      return 0;
    }

  FUZZ_ASSERT (error == NULL);
  type = cw_tx_get_tx_type (submission->tx);
  if (submission->duplicate)
    {
      FUZZ_ASSERT (submission->index < log_size);
      return 0;
    }

  FUZZ_ASSERT (submission->index == log_size);
  FUZZ_ASSERT (submission->n_verified >= 1);
  if (type == CW_TX_TYPE_ACCESS)
    FUZZ_ASSERT (submission->outcome == CW_NODE_OUTCOME_ALLOWED ||
                 submission->outcome == CW_NODE_OUTCOME_DENIED);
  else
    FUZZ_ASSERT (submission->outcome == CW_NODE_OUTCOME_ACCEPTED);
  if (cw_tx_type_is_provider_signed (type))
    FUZZ_ASSERT (was_verified (submission, provider_key));
  else if (type != CW_TX_TYPE_ENROLL && type != CW_TX_TYPE_ROTATE)
    FUZZ_ASSERT (was_verified (submission, patient_key));

  return 0;
}

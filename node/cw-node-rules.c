/* cw-node-rules.c: the consent rules, a deterministic state machine over
 * the committed state and the batch's own earlier effects. */
#include "config.h"

#include <string.h>

#include "cw-node-invite.h"
#include "cw-node-rules.h"

G_DEFINE_QUARK (cw-node-rules-error-quark, cw_node_rules_error)

struct _CwNodeRules
{
  CwNodeStore *store;
  guint64 size;
  gint64 now;
  CwNodeBatch *batch;

  /* What the batch has read or changed so far, by key; the records are
   * owned here, and the dirty sets name the ones the batch changed. */
  GHashTable *patients;        /* patient ID → CwNodePatient */
  GHashTable *grants;          /* GBytes ID → CwNodeGrant */
  GHashTable *requests;        /* GBytes ID → CwNodeRequest */
  GHashTable *used_invites;    /* GBytes code hash → CwNodeInvite */
  GHashTable *logged;          /* GBytes ID → CwNodeTxRecord (in batch) */
  GHashTable *dirty;           /* set of changed records */
};

static gboolean
set_rule_error (GError           **error,
                CwNodeRulesError   code,
                const char        *message)
{
  g_set_error_literal (error, CW_NODE_RULES_ERROR, code, message);
  return FALSE;
}

CwNodeRules *
cw_node_rules_new (CwNodeStore *store)
{
  CwNodeRules *self = g_new0 (CwNodeRules, 1);

  self->store = g_object_ref (store);

  return self;
}

static void
clear_batch (CwNodeRules *self)
{
  g_clear_pointer (&self->batch, cw_node_batch_free);
  g_clear_pointer (&self->patients, g_hash_table_unref);
  g_clear_pointer (&self->grants, g_hash_table_unref);
  g_clear_pointer (&self->requests, g_hash_table_unref);
  g_clear_pointer (&self->used_invites, g_hash_table_unref);
  g_clear_pointer (&self->logged, g_hash_table_unref);
  g_clear_pointer (&self->dirty, g_hash_table_unref);
}

void
cw_node_rules_free (CwNodeRules *self)
{
  if (self == NULL)
    return;
  clear_batch (self);
  g_clear_object (&self->store);
  g_free (self);
}

static GHashTable *
new_id_table (GDestroyNotify value_free)
{
  return g_hash_table_new_full (g_bytes_hash, g_bytes_equal,
                                (GDestroyNotify) g_bytes_unref, value_free);
}

void
cw_node_rules_begin (CwNodeRules *self,
                     guint64      size,
                     gint64       now)
{
  clear_batch (self);
  self->size = size;
  self->now = now;
  self->batch = cw_node_batch_new (size);
  self->patients = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                          (GDestroyNotify) cw_node_patient_free);
  self->grants = new_id_table ((GDestroyNotify) cw_node_grant_free);
  self->requests = new_id_table ((GDestroyNotify) cw_node_request_free);
  self->used_invites = new_id_table ((GDestroyNotify) cw_node_invite_free);
  self->logged = new_id_table (NULL);
  self->dirty = g_hash_table_new (NULL, NULL);
}

/* A NOT_FOUND from the store is no error here: *@out stays NULL. */
static gboolean
absorb_not_found (GError  *local_error,
                  GError **error)
{
  if (local_error == NULL ||
      g_error_matches (local_error, CW_NODE_STORE_ERROR, CW_NODE_STORE_ERROR_NOT_FOUND))
    {
      g_clear_error (&local_error);
      return TRUE;
    }

  g_propagate_error (error, local_error);
  return FALSE;
}

static gboolean
get_patient (CwNodeRules     *self,
             const char      *patient_id,
             CwNodePatient  **out,
             GError         **error)
{
  GError *local_error = NULL;
  CwNodePatient *patient = g_hash_table_lookup (self->patients, patient_id);

  if (patient == NULL)
    {
      patient = cw_node_store_lookup_patient (self->store, patient_id, &local_error);
      if (patient != NULL)
        g_hash_table_insert (self->patients, g_strdup (patient_id), patient);
    }

  *out = patient;

  return absorb_not_found (local_error, error);
}

static gboolean
get_grant (CwNodeRules   *self,
           const guint8  *id,
           CwNodeGrant  **out,
           GError       **error)
{
  g_autoptr(GBytes) key = g_bytes_new (id, CW_TX_ID_SIZE);
  GError *local_error = NULL;
  CwNodeGrant *grant = g_hash_table_lookup (self->grants, key);

  if (grant == NULL)
    {
      grant = cw_node_store_lookup_grant (self->store, id, &local_error);
      if (grant != NULL)
        g_hash_table_insert (self->grants, g_steal_pointer (&key), grant);
    }

  *out = grant;

  return absorb_not_found (local_error, error);
}

static gboolean
get_request (CwNodeRules    *self,
             const guint8   *id,
             CwNodeRequest **out,
             GError        **error)
{
  g_autoptr(GBytes) key = g_bytes_new (id, CW_TX_ID_SIZE);
  GError *local_error = NULL;
  CwNodeRequest *request = g_hash_table_lookup (self->requests, key);

  if (request == NULL)
    {
      request = cw_node_store_lookup_request (self->store, id, &local_error);
      if (request != NULL)
        g_hash_table_insert (self->requests, g_steal_pointer (&key), request);
    }

  *out = request;

  return absorb_not_found (local_error, error);
}

/* The provider's public key if it is in the directory and not removed. */
static gboolean
get_provider_key (CwNodeRules  *self,
                  const char   *provider_id,
                  GBytes      **out_key,
                  GError      **error)
{
  g_autoptr(CwNodeProvider) provider = NULL;
  GError *local_error = NULL;

  provider = cw_node_store_lookup_provider (self->store, provider_id, &local_error);
  *out_key = provider != NULL ? g_bytes_ref (cw_node_provider_get_public_key (provider)) : NULL;
  if (!absorb_not_found (local_error, error))
    return FALSE;

  if (*out_key == NULL)
    return set_rule_error (error, CW_NODE_RULES_ERROR_UNKNOWN_PROVIDER,
                           "The provider is not in the directory");

  return TRUE;
}

/* Whether the transaction is logged already, in the store or this batch. */
static gboolean
find_logged (CwNodeRules      *self,
             CwNodeSubmission *submission,
             gboolean         *out_found,
             GError          **error)
{
  g_autoptr(GBytes) key = g_bytes_new (submission->id, CW_TX_ID_SIZE);
  g_autoptr(CwNodeTxRecord) stored = NULL;
  CwNodeTxRecord *record = g_hash_table_lookup (self->logged, key);
  GError *local_error = NULL;

  if (record == NULL)
    {
      stored = cw_node_store_lookup_transaction (self->store, submission->id, &local_error);
      if (!absorb_not_found (local_error, error))
        return FALSE;
      record = stored;
    }

  *out_found = record != NULL;
  if (record != NULL)
    {
      submission->duplicate = TRUE;
      submission->index = record->index;
      submission->outcome = record->outcome;
    }

  return TRUE;
}

static gboolean
check_signer (CwNodeSubmission *submission,
              const guint8     *public_key,
              const guint8     *alternative_key,
              GError          **error)
{
  if (cw_node_submission_check_signer (submission, public_key) ||
      (alternative_key != NULL && cw_node_submission_check_signer (submission, alternative_key)))
    return TRUE;

  return set_rule_error (error, CW_NODE_RULES_ERROR_BAD_SIGNATURE,
                         "The envelope carries no valid signature by the key this "
                         "transaction type must be signed with");
}

static gboolean
check_provider_signer (CwNodeRules      *self,
                       CwNodeSubmission *submission,
                       GError          **error)
{
  g_autoptr(GBytes) key = NULL;

  if (!get_provider_key (self, cw_tx_get_provider (submission->tx), &key, error))
    return FALSE;

  return check_signer (submission, g_bytes_get_data (key, NULL), NULL, error);
}

static gboolean
check_chain (CwNodePatient    *patient,
             CwNodeSubmission *submission,
             GError          **error)
{
  const guint8 *prev = cw_tx_get_prev (submission->tx);

  if (cw_tx_get_seq (submission->tx) == patient->seq + 1 && prev != NULL &&
      memcmp (prev, patient->head, CW_TX_ID_SIZE) == 0)
    return TRUE;

  submission->has_head = TRUE;
  submission->head_seq = patient->seq;
  memcpy (submission->head_id, patient->head, CW_TX_ID_SIZE);

  return set_rule_error (error, CW_NODE_RULES_ERROR_CHAIN_CONFLICT,
                         "seq and prev do not follow the patient's latest transaction");
}

static gboolean
check_expires_in_future (CwNodeRules *self,
                         CwTx        *tx,
                         GError     **error)
{
  if (g_date_time_to_unix (cw_tx_get_expires (tx)) > self->now)
    return TRUE;

  return set_rule_error (error, CW_NODE_RULES_ERROR_EXPIRED, "“expires” is not in the future");
}

static void
mark_dirty (CwNodeRules *self,
            gpointer     record)
{
  g_hash_table_add (self->dirty, record);
}

/* Appends the transaction as the batch's next log entry. */
static void
log_transaction (CwNodeRules      *self,
                 CwNodeSubmission *submission,
                 CwNodeOutcome     outcome)
{
  CwNodeTxRecord *record = g_new0 (CwNodeTxRecord, 1);
  CwTx *tx = submission->tx;

  record->index = self->batch->new_size++;
  memcpy (record->id, submission->id, CW_TX_ID_SIZE);
  record->type = cw_tx_get_tx_type (tx);
  record->patient = cw_tx_dup_patient_id (tx);
  record->provider = g_strdup (cw_tx_type_is_provider_signed (record->type)
                                 ? cw_tx_get_provider (tx) : NULL);
  record->seq = cw_tx_get_seq (tx);
  record->outcome = outcome;
  record->envelope = g_bytes_ref (submission->body);
  record->received = submission->received;

  g_ptr_array_add (self->batch->transactions, record);
  g_hash_table_insert (self->logged, g_bytes_new (record->id, CW_TX_ID_SIZE), record);

  submission->index = record->index;
  submission->outcome = outcome;
}

static gboolean
check_invite (CwNodeRules   *self,
              CwTx          *tx,
              CwNodeInvite **out_invite,
              GError       **error)
{
  g_autoptr(CwNodeInvite) invite = NULL;
  g_autoptr(GBytes) key = NULL;
  guint8 hash[CW_HASH_SIZE];
  GError *local_error = NULL;

  if (!cw_node_invite_hash_code (cw_tx_get_invite (tx), hash, NULL))
    return set_rule_error (error, CW_NODE_RULES_ERROR_INVALID_INVITE, "Unknown invite code");

  key = g_bytes_new (hash, sizeof hash);
  if (g_hash_table_contains (self->used_invites, key))
    return set_rule_error (error, CW_NODE_RULES_ERROR_INVALID_INVITE,
                           "The invite code has been used");

  invite = cw_node_store_lookup_invite (self->store, hash, &local_error);
  if (!absorb_not_found (local_error, error))
    return FALSE;

  if (invite == NULL)
    return set_rule_error (error, CW_NODE_RULES_ERROR_INVALID_INVITE, "Unknown invite code");
  if (invite->used)
    return set_rule_error (error, CW_NODE_RULES_ERROR_INVALID_INVITE,
                           "The invite code has been used");
  if (invite->expires <= self->now)
    return set_rule_error (error, CW_NODE_RULES_ERROR_INVALID_INVITE,
                           "The invite code has expired");
  if (g_strcmp0 (invite->provider, cw_tx_get_clinic (tx)) != 0)
    return set_rule_error (error, CW_NODE_RULES_ERROR_INVALID_INVITE,
                           "The invite code was issued by another clinic");

  *out_invite = g_steal_pointer (&invite);

  return TRUE;
}

static gboolean
apply_enroll (CwNodeRules      *self,
              CwNodeSubmission *submission,
              GError          **error)
{
  CwTx *tx = submission->tx;
  g_autofree char *patient_id = cw_tx_dup_patient_id (tx);
  g_autoptr(CwNodeInvite) invite = NULL;
  g_autoptr(GBytes) clinic_key = NULL;
  CwNodePatient *patient;
  GBytes *invite_key;

  if (!check_signer (submission, cw_tx_get_patient (tx), NULL, error) ||
      !get_patient (self, patient_id, &patient, error))
    return FALSE;

  if (patient != NULL)
    {
      /* seq 0 is taken: the same conflict as any other seq. */
      submission->has_head = TRUE;
      submission->head_seq = patient->seq;
      memcpy (submission->head_id, patient->head, CW_TX_ID_SIZE);
      return set_rule_error (error, CW_NODE_RULES_ERROR_CHAIN_CONFLICT,
                             "The patient is enrolled already");
    }

  if (!check_invite (self, tx, &invite, error) ||
      !get_provider_key (self, cw_tx_get_clinic (tx), &clinic_key, error))
    return FALSE;

  patient = g_new0 (CwNodePatient, 1);
  patient->id = g_strdup (patient_id);
  memcpy (patient->current_key, cw_tx_get_patient (tx), CW_PUBLIC_KEY_SIZE);
  memcpy (patient->recovery_key, cw_tx_get_recovery_key (tx), CW_PUBLIC_KEY_SIZE);
  patient->clinic = g_strdup (cw_tx_get_clinic (tx));
  patient->seq = 0;
  memcpy (patient->head, submission->id, CW_TX_ID_SIZE);
  patient->enrolled_index = self->batch->new_size;
  g_hash_table_insert (self->patients, g_strdup (patient_id), patient);
  mark_dirty (self, patient);

  invite->used = TRUE;
  invite->used_at = self->now;
  memcpy (invite->used_by, cw_tx_get_patient (tx), CW_PUBLIC_KEY_SIZE);
  g_ptr_array_add (self->batch->used_invites, cw_node_invite_copy (invite));
  invite_key = g_bytes_new (invite->code_hash, CW_HASH_SIZE);
  g_hash_table_insert (self->used_invites, invite_key, g_steal_pointer (&invite));

  log_transaction (self, submission, CW_NODE_OUTCOME_ACCEPTED);

  return TRUE;
}

static gboolean
check_answerable_request (CwNodeRules     *self,
                          const guint8    *request_id,
                          const char      *patient_id,
                          const char      *provider_id,
                          CwNodeRequest  **out_request,
                          GError         **error)
{
  CwNodeRequest *request;

  if (!get_request (self, request_id, &request, error))
    return FALSE;

  if (request == NULL || g_strcmp0 (request->patient, patient_id) != 0 ||
      (provider_id != NULL && g_strcmp0 (request->provider, provider_id) != 0))
    return set_rule_error (error, CW_NODE_RULES_ERROR_UNKNOWN_REQUEST,
                           provider_id != NULL
                             ? "No such request from this provider to this patient"
                             : "No such request to this patient");

  if (request->state != CW_NODE_REQUEST_PENDING || request->expires <= self->now)
    return set_rule_error (error, CW_NODE_RULES_ERROR_REQUEST_NOT_PENDING,
                           "The request was answered already or has expired");

  *out_request = request;

  return TRUE;
}

static gboolean
apply_grant (CwNodeRules      *self,
             CwNodeSubmission *submission,
             CwNodePatient    *patient,
             GError          **error)
{
  CwTx *tx = submission->tx;
  g_autoptr(GBytes) provider_key = NULL;
  CwNodeRequest *request = NULL;
  CwNodeGrant *grant;

  if (!get_provider_key (self, cw_tx_get_provider (tx), &provider_key, error) ||
      !check_expires_in_future (self, tx, error))
    return FALSE;

  if (cw_tx_get_request (tx) != NULL &&
      !check_answerable_request (self, cw_tx_get_request (tx), patient->id,
                                 cw_tx_get_provider (tx), &request, error))
    return FALSE;

  grant = g_new0 (CwNodeGrant, 1);
  memcpy (grant->id, submission->id, CW_TX_ID_SIZE);
  grant->patient = g_strdup (patient->id);
  grant->provider = g_strdup (cw_tx_get_provider (tx));
  grant->scopes = cw_tx_get_scopes (tx);
  grant->purpose = cw_tx_get_purpose (tx);
  grant->access = cw_tx_get_access (tx);
  grant->data_from = g_strdup (cw_tx_get_data_from (tx));
  grant->data_to = g_strdup (cw_tx_get_data_to (tx));
  grant->expires = g_date_time_to_unix (cw_tx_get_expires (tx));
  grant->has_request = request != NULL;
  if (request != NULL)
    memcpy (grant->request, request->id, CW_TX_ID_SIZE);
  grant->index = self->batch->new_size;
  g_hash_table_insert (self->grants, g_bytes_new (grant->id, CW_TX_ID_SIZE), grant);
  mark_dirty (self, grant);

  if (request != NULL)
    {
      request->state = CW_NODE_REQUEST_GRANTED;
      memcpy (request->answered_by, submission->id, CW_TX_ID_SIZE);
      mark_dirty (self, request);
    }

  return TRUE;
}

static gboolean
apply_revoke (CwNodeRules      *self,
              CwNodeSubmission *submission,
              CwNodePatient    *patient,
              GError          **error)
{
  CwNodeGrant *grant;

  if (!get_grant (self, cw_tx_get_grant (submission->tx), &grant, error))
    return FALSE;

  if (grant == NULL || g_strcmp0 (grant->patient, patient->id) != 0)
    return set_rule_error (error, CW_NODE_RULES_ERROR_UNKNOWN_GRANT,
                           "No such grant of this patient");
  if (grant->revoked || grant->expires <= self->now)
    return set_rule_error (error, CW_NODE_RULES_ERROR_GRANT_INACTIVE,
                           "The grant was revoked already or has expired");

  grant->revoked = TRUE;
  memcpy (grant->revoked_by, submission->id, CW_TX_ID_SIZE);
  grant->revoked_index = self->batch->new_size;
  mark_dirty (self, grant);

  return TRUE;
}

static gboolean
apply_deny (CwNodeRules      *self,
            CwNodeSubmission *submission,
            CwNodePatient    *patient,
            GError          **error)
{
  CwNodeRequest *request;

  if (!check_answerable_request (self, cw_tx_get_request (submission->tx), patient->id, NULL,
                                 &request, error))
    return FALSE;

  request->state = CW_NODE_REQUEST_DENIED;
  memcpy (request->answered_by, submission->id, CW_TX_ID_SIZE);
  mark_dirty (self, request);

  return TRUE;
}

static gboolean
check_rotate (CwNodeSubmission *submission,
              CwNodePatient    *patient,
              GError          **error)
{
  if (memcmp (cw_tx_get_new_key (submission->tx), patient->current_key, CW_PUBLIC_KEY_SIZE) == 0)
    return set_rule_error (error, CW_NODE_RULES_ERROR_INVALID_KEY,
                           "“new_key” is the key in use already");

  return TRUE;
}

/* grant, revoke, deny and rotate: the patient's own chain. */
static gboolean
apply_patient_tx (CwNodeRules      *self,
                  CwNodeSubmission *submission,
                  GError          **error)
{
  CwTx *tx = submission->tx;
  CwTxType type = cw_tx_get_tx_type (tx);
  g_autofree char *patient_id = cw_tx_dup_patient_id (tx);
  CwNodePatient *patient;
  gboolean ok = FALSE;

  if (!get_patient (self, patient_id, &patient, error))
    return FALSE;
  if (patient == NULL)
    return set_rule_error (error, CW_NODE_RULES_ERROR_UNKNOWN_PATIENT, "The patient is not enrolled");

  if (!check_signer (submission, patient->current_key,
                     type == CW_TX_TYPE_ROTATE ? patient->recovery_key : NULL, error) ||
      !check_chain (patient, submission, error))
    return FALSE;

  switch (type)
    {
    case CW_TX_TYPE_GRANT:
      ok = apply_grant (self, submission, patient, error);
      break;
    case CW_TX_TYPE_REVOKE:
      ok = apply_revoke (self, submission, patient, error);
      break;
    case CW_TX_TYPE_DENY:
      ok = apply_deny (self, submission, patient, error);
      break;
    case CW_TX_TYPE_ROTATE:
      ok = check_rotate (submission, patient, error);
      break;
    case CW_TX_TYPE_ENROLL:
    case CW_TX_TYPE_REQUEST:
    case CW_TX_TYPE_ACCESS:
    default:
      g_assert_not_reached ();
    }

  if (!ok)
    return FALSE;

  if (type == CW_TX_TYPE_ROTATE)
    {
      memcpy (patient->current_key, cw_tx_get_new_key (tx), CW_PUBLIC_KEY_SIZE);
      if (cw_tx_get_new_recovery_key (tx) != NULL)
        memcpy (patient->recovery_key, cw_tx_get_new_recovery_key (tx), CW_PUBLIC_KEY_SIZE);
    }
  patient->seq = cw_tx_get_seq (tx);
  memcpy (patient->head, submission->id, CW_TX_ID_SIZE);
  mark_dirty (self, patient);

  log_transaction (self, submission, CW_NODE_OUTCOME_ACCEPTED);

  return TRUE;
}

static gboolean
apply_request (CwNodeRules      *self,
               CwNodeSubmission *submission,
               GError          **error)
{
  CwTx *tx = submission->tx;
  g_autofree char *patient_id = cw_tx_dup_patient_id (tx);
  CwNodePatient *patient;
  CwNodeRequest *request;

  if (!check_provider_signer (self, submission, error) ||
      !get_patient (self, patient_id, &patient, error))
    return FALSE;
  if (patient == NULL)
    return set_rule_error (error, CW_NODE_RULES_ERROR_UNKNOWN_PATIENT, "The patient is not enrolled");
  if (!check_expires_in_future (self, tx, error))
    return FALSE;

  request = g_new0 (CwNodeRequest, 1);
  memcpy (request->id, submission->id, CW_TX_ID_SIZE);
  request->patient = g_strdup (patient_id);
  request->provider = g_strdup (cw_tx_get_provider (tx));
  request->scopes = cw_tx_get_scopes (tx);
  request->purpose = cw_tx_get_purpose (tx);
  request->access = cw_tx_get_access (tx);
  request->expires = g_date_time_to_unix (cw_tx_get_expires (tx));
  request->reason = g_strdup (cw_tx_get_reason (tx));
  request->index = self->batch->new_size;
  request->state = CW_NODE_REQUEST_PENDING;
  g_hash_table_insert (self->requests, g_bytes_new (request->id, CW_TX_ID_SIZE), request);
  mark_dirty (self, request);

  log_transaction (self, submission, CW_NODE_OUTCOME_ACCEPTED);

  return TRUE;
}

static gboolean
grant_covers (CwNodeRules *self,
              CwNodeGrant *grant,
              CwTx        *tx,
              const char  *patient_id)
{
  CwScopes scopes = cw_tx_get_scopes (tx);

  return grant != NULL &&
         g_strcmp0 (grant->patient, patient_id) == 0 &&
         g_strcmp0 (grant->provider, cw_tx_get_provider (tx)) == 0 &&
         !grant->revoked &&
         grant->expires > self->now &&
         (grant->scopes & scopes) == scopes &&
         grant->purpose == cw_tx_get_purpose (tx);
}

static gboolean
apply_access (CwNodeRules      *self,
              CwNodeSubmission *submission,
              GError          **error)
{
  CwTx *tx = submission->tx;
  g_autofree char *patient_id = cw_tx_dup_patient_id (tx);
  CwNodePatient *patient;
  CwNodeGrant *grant;

  if (!check_provider_signer (self, submission, error) ||
      !get_patient (self, patient_id, &patient, error))
    return FALSE;
  if (patient == NULL)
    return set_rule_error (error, CW_NODE_RULES_ERROR_UNKNOWN_PATIENT, "The patient is not enrolled");

  if (!get_grant (self, cw_tx_get_grant (tx), &grant, error))
    return FALSE;

  /* Refused attempts are logged too, so the patient sees them. */
  log_transaction (self, submission,
                   grant_covers (self, grant, tx, patient_id) ? CW_NODE_OUTCOME_ALLOWED
                                                              : CW_NODE_OUTCOME_DENIED);

  return TRUE;
}

gboolean
cw_node_rules_apply (CwNodeRules      *self,
                     CwNodeSubmission *submission,
                     GError          **error)
{
  gboolean found;

  g_return_val_if_fail (self->batch != NULL, FALSE);
  g_return_val_if_fail (submission->tx != NULL, FALSE);

  if (!find_logged (self, submission, &found, error))
    return FALSE;
  if (found)
    return TRUE;

  if (g_date_time_to_unix (cw_tx_get_time (submission->tx)) > self->now + CW_NODE_RULES_MAX_FUTURE)
    return set_rule_error (error, CW_NODE_RULES_ERROR_TIME_IN_FUTURE,
                           "“time” is too far ahead of the node's clock");

  switch (cw_tx_get_tx_type (submission->tx))
    {
    case CW_TX_TYPE_ENROLL:
      return apply_enroll (self, submission, error);
    case CW_TX_TYPE_GRANT:
    case CW_TX_TYPE_REVOKE:
    case CW_TX_TYPE_DENY:
    case CW_TX_TYPE_ROTATE:
      return apply_patient_tx (self, submission, error);
    case CW_TX_TYPE_REQUEST:
      return apply_request (self, submission, error);
    case CW_TX_TYPE_ACCESS:
      return apply_access (self, submission, error);
    default:
      g_assert_not_reached ();
    }
}

static void
collect_dirty (CwNodeRules *self,
               GHashTable  *table,
               GPtrArray   *out,
               gpointer   (*copy) (gconstpointer))
{
  GHashTableIter iter;
  gpointer record;

  g_hash_table_iter_init (&iter, table);
  while (g_hash_table_iter_next (&iter, NULL, &record))
    {
      if (g_hash_table_contains (self->dirty, record))
        g_ptr_array_add (out, copy (record));
    }
}

CwNodeBatch *
cw_node_rules_finish (CwNodeRules *self)
{
  CwNodeBatch *batch;

  g_return_val_if_fail (self->batch != NULL, NULL);

  collect_dirty (self, self->patients, self->batch->patients,
                 (gpointer (*) (gconstpointer)) cw_node_patient_copy);
  collect_dirty (self, self->grants, self->batch->grants,
                 (gpointer (*) (gconstpointer)) cw_node_grant_copy);
  collect_dirty (self, self->requests, self->batch->requests,
                 (gpointer (*) (gconstpointer)) cw_node_request_copy);

  batch = g_steal_pointer (&self->batch);
  clear_batch (self);

  return batch;
}

/* cw-node-submission.c: one POST /v1/tx on its way through the sequencer:
 * parsing and signature verification, which run on worker threads. */
#include "config.h"

#include <string.h>

#include "cw-encoding.h"
#include "cw-node-submission.h"

CwNodeSubmission *
cw_node_submission_new (GBytes *body)
{
  CwNodeSubmission *self = g_atomic_rc_box_new0 (CwNodeSubmission);

  self->body = g_bytes_ref (body);
  self->received = g_get_real_time () / G_USEC_PER_SEC;

  return self;
}

CwNodeSubmission *
cw_node_submission_ref (CwNodeSubmission *self)
{
  return g_atomic_rc_box_acquire (self);
}

static void
submission_clear (gpointer data)
{
  CwNodeSubmission *self = data;

  g_clear_pointer (&self->body, g_bytes_unref);
  g_clear_pointer (&self->envelope, cw_dsse_envelope_unref);
  g_clear_pointer (&self->tx, cw_tx_unref);
  g_clear_error (&self->error);
  g_clear_pointer (&self->proof, g_free);
}

void
cw_node_submission_unref (CwNodeSubmission *self)
{
  g_atomic_rc_box_release_full (self, submission_clear);
}

static gboolean
verify_with (CwNodeSubmission *self,
             const guint8      public_key[CW_PUBLIC_KEY_SIZE])
{
  g_autoptr(CwVerifierKey) key = NULL;

  /* The name plays no part in DSSE; any valid key name will do. */
  key = cw_verifier_key_new ("signer", CW_KEY_TYPE_ED25519, public_key, NULL);

  return key != NULL && cw_dsse_envelope_verify (self->envelope, key, NULL);
}

static void
remember_verified (CwNodeSubmission *self,
                   const guint8      public_key[CW_PUBLIC_KEY_SIZE])
{
  if (self->n_verified < CW_NODE_SUBMISSION_MAX_VERIFIED)
    memcpy (self->verified[self->n_verified++], public_key, CW_PUBLIC_KEY_SIZE);
}

/* The keys that may have signed, as far as the committed state says. */
static void
verify_candidates (CwNodeSubmission *self,
                   CwNodeStore      *reader)
{
  CwTxType type = cw_tx_get_tx_type (self->tx);

  if (type == CW_TX_TYPE_ENROLL)
    {
      if (verify_with (self, cw_tx_get_patient (self->tx)))
        remember_verified (self, cw_tx_get_patient (self->tx));
    }
  else if (cw_tx_type_is_provider_signed (type))
    {
      g_autoptr(CwNodeProvider) provider = NULL;

      provider = cw_node_store_lookup_provider (reader, cw_tx_get_provider (self->tx), NULL);
      if (provider != NULL)
        {
          const guint8 *key = g_bytes_get_data (cw_node_provider_get_public_key (provider), NULL);

          if (verify_with (self, key))
            remember_verified (self, key);
        }
    }
  else
    {
      g_autofree char *patient_id = cw_tx_dup_patient_id (self->tx);
      g_autoptr(CwNodePatient) patient = NULL;

      patient = cw_node_store_lookup_patient (reader, patient_id, NULL);
      if (patient == NULL)
        return;
      if (verify_with (self, patient->current_key))
        remember_verified (self, patient->current_key);
      else if (type == CW_TX_TYPE_ROTATE && verify_with (self, patient->recovery_key))
        remember_verified (self, patient->recovery_key);
    }
}

void
cw_node_submission_prepare (CwNodeSubmission *self,
                            CwNodeStore      *reader)
{
  gsize len = 0;
  const char *data = g_bytes_get_data (self->body, &len);
  g_autoptr(GBytes) payload = NULL;

  self->envelope = cw_dsse_envelope_parse (data, len, &self->error);
  if (self->envelope == NULL)
    return;

  /* The payload is parsed before any key is tried: its signer is named
   * inside it. Parsing is strict and has no side effects. */
  payload = cw_dsse_envelope_get_payload (self->envelope);
  self->tx = cw_tx_parse_payload_bytes (payload, &self->error);
  if (self->tx == NULL)
    return;

  cw_tx_compute_id (self->tx, self->id);
  verify_candidates (self, reader);
}

gboolean
cw_node_submission_check_signer (CwNodeSubmission *self,
                                 const guint8      public_key[CW_PUBLIC_KEY_SIZE])
{
  for (guint i = 0; i < self->n_verified; i++)
    {
      if (memcmp (self->verified[i], public_key, CW_PUBLIC_KEY_SIZE) == 0)
        return TRUE;
    }

  /* Rare: the key changed (enroll or rotate) after prepare() looked. */
  if (!verify_with (self, public_key))
    return FALSE;

  remember_verified (self, public_key);

  return TRUE;
}

/* fuzz-node-common.h: the fixed node and witness state the node-tx and
 * witness harnesses fuzz against, shared with gen-corpus.c so that generated seeds (chained to
 * the fixed enrollment, or consistent with the witnessed log) get past the
 * signatures to the checks behind them.
 *
 * Include after fuzz-common.h. */
#pragma once

#include "cw-checkpoint.h"
#include "cw-dsse.h"
#include "cw-encoding.h"
#include "cw-log-tree.h"
#include "cw-tx.h"

/* One provider in the node's directory, with a fuzzing key. */
#define FUZZ_NODE_PROVIDER "fuzz-clinic"
/* Two stored invite codes of that provider: the first is used up by the
 * fixed enrollment, the second is left for fuzzed ones. */
#define FUZZ_NODE_INVITE "FUZZAAAAAAAAAAAAAAAA"
#define FUZZ_NODE_INVITE_2 "FUZZBBBBBBBBBBBBBBBB"
/* 2026-01-01T00:00:00Z: the time of the fixed enrollment. The harness
 * decides with the node's clock at ten minutes past it. */
#define FUZZ_NODE_TIME G_GINT64_CONSTANT (1767225600)

static inline CwSigningKey *
fuzz_node_recovery_key (void)
{
  return fuzz_signing_key ("recovery", CW_KEY_TYPE_ED25519, 0x45);
}

static inline CwSigningKey *
fuzz_node_provider_key (void)
{
  return fuzz_signing_key ("provider", CW_KEY_TYPE_ED25519, 0x55);
}

/* The patient's enrollment (seq 0), always the same bytes. */
static inline CwTx *
fuzz_node_enroll_tx (CwSigningKey *patient,
                     CwSigningKey *recovery)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_utc (FUZZ_NODE_TIME);
  guint8 nonce[CW_TX_NONCE_SIZE];
  CwTxCommon common = { cw_signing_key_get_public_key (patient), 0, NULL, time, nonce };
  CwTx *tx;

  memset (nonce, 0x66, sizeof nonce);
  tx = cw_tx_new_enroll (&common, cw_signing_key_get_public_key (recovery), FUZZ_NODE_INVITE,
                         FUZZ_NODE_PROVIDER, NULL);
  if (tx == NULL)
    abort ();

  return tx;
}

static inline GBytes *
fuzz_node_sign_tx (CwTx         *tx,
                   CwSigningKey *key)
{
  g_autoptr(GBytes) payload = cw_tx_to_payload (tx);
  g_autoptr(CwDsseEnvelope) envelope = cw_dsse_envelope_sign (payload, key, NULL);
  gsize len = 0;
  char *json;

  if (envelope == NULL)
    abort ();
  json = cw_dsse_envelope_to_json (envelope, &len);

  return g_bytes_new_take (json, len);
}

static inline GBytes *
fuzz_node_enroll_envelope (CwSigningKey *patient,
                           CwSigningKey *recovery)
{
  g_autoptr(CwTx) tx = fuzz_node_enroll_tx (patient, recovery);

  return fuzz_node_sign_tx (tx, patient);
}

/* The witness harness's log: FUZZ_WITNESS_TREE_SIZE leaves, of which the
 * first FUZZ_WITNESS_BASE_SIZE are cosigned before every input, so that
 * consistency proofs from that size have something to be checked against. */
#define FUZZ_WITNESS_TREE_SIZE 16
#define FUZZ_WITNESS_BASE_SIZE 5

static inline CwLogTree *
fuzz_witness_tree (void)
{
  CwLogTree *tree = cw_log_tree_new ();

  for (guint8 i = 0; i < FUZZ_WITNESS_TREE_SIZE; i++)
    {
      guint8 id[32];

      cw_sha256 (&i, 1, id);
      cw_log_tree_append (tree, id, sizeof id);
    }

  return tree;
}

/* The checkpoint text (unsigned) of the first @size leaves of @tree. */
static inline char *
fuzz_witness_checkpoint_text (CwLogTree *tree,
                              guint64    size)
{
  g_autoptr(CwCheckpoint) checkpoint = NULL;
  guint8 root[32];

  if (!cw_log_tree_get_root (tree, size, root, NULL))
    abort ();
  checkpoint = cw_checkpoint_new (FUZZ_LOG_ORIGIN, size, root, NULL, NULL);
  if (checkpoint == NULL)
    abort ();

  return cw_checkpoint_format (checkpoint);
}

/* node-test-tx.h: helpers for the sequencer tests: a node with providers,
 * patients with real keys, signed envelopes, POST /v1/tx and receipt
 * checks against the log key. */
#pragma once

#include <json-glib/json-glib.h>

#include "cw-dsse.h"
#include "cw-key.h"
#include "cw-log-tree.h"
#include "cw-tx.h"
#include "node-test-util.h"

G_BEGIN_DECLS

#define TX_TEST_ORIGIN "consent.test/log"

/* A node data directory with a provider "gp-one" (practice) and
 * "lab-two" (lab) whose keys are loaded; the server is not started. */
typedef struct
{
  char *tmpdir;
  char *dir;
  char *cert_path;
  CwVerifierKey *log_key;
  CwSigningKey *gp_key;
  CwSigningKey *lab_key;
  NodeServer *server;
  SoupSession *session;
} TxNode;

void            tx_node_setup          (TxNode        *node);
void            tx_node_teardown       (TxNode        *node);
void            tx_node_start          (TxNode        *node);
/* SIGTERM, wait, and forget the server. */
void            tx_node_stop           (TxNode        *node);
/* A fresh one-time code from `consent-node invite`. */
char           *tx_node_invite         (TxNode        *node,
                                        const char    *provider);
/* Sets [sequencer] keys in node.conf. */
void            tx_node_configure      (TxNode        *node,
                                        guint          batch_interval_ms,
                                        guint          batch_max_size);

/* A patient and the chain head the test believes in. */
typedef struct
{
  CwSigningKey *key;
  CwSigningKey *recovery;
  guint8 id[CW_PUBLIC_KEY_SIZE];
  guint64 seq;
  guint8 head[CW_TX_ID_SIZE];
} TxPatient;

TxPatient      *tx_patient_new         (void);
void            tx_patient_free        (TxPatient     *patient);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TxPatient, tx_patient_free)

/* Common fields for the patient's next transaction (seq + 1, prev head);
 * @time NULL means now. */
CwTxCommon      tx_patient_next        (TxPatient     *patient,
                                        GDateTime     *time);
/* Moves the believed head to @tx. */
void            tx_patient_advance     (TxPatient     *patient,
                                        CwTx          *tx);

/* The envelope JSON of @tx signed by @key. */
GBytes         *tx_sign                (CwTx          *tx,
                                        CwSigningKey  *key);

/* POSTs @envelope to /v1/tx; @out_json gets the parsed answer. */
guint           tx_post                (TxNode        *node,
                                        GBytes        *envelope,
                                        JsonObject   **out_json);
/* Asserts the status and, for errors, the stable code. */
JsonObject     *tx_post_expect         (TxNode        *node,
                                        GBytes        *envelope,
                                        guint          status,
                                        const char    *code);
/* Signs and posts @tx, expecting 200, and checks its receipt. */
JsonObject     *tx_submit_ok           (TxNode        *node,
                                        CwTx          *tx,
                                        CwSigningKey  *key);

/* Checks a receipt: the id is @tx's, the checkpoint opens with the log
 * key, and the proof includes the id at index. Returns the tree size. */
guint64         tx_check_receipt       (TxNode        *node,
                                        JsonObject    *receipt,
                                        CwTx          *tx);

/* GET @path; @out_body gets the body. */
guint           tx_get                 (TxNode        *node,
                                        const char    *path,
                                        GBytes       **out_body);
/* Opens a checkpoint note with the log key: size and root. */
void            tx_open_checkpoint     (TxNode        *node,
                                        const char    *note,
                                        guint64       *out_size,
                                        guint8        *out_root);
/* GET /v1/log/proof/consistency and verify it between two checkpoints. */
void            tx_check_consistency   (TxNode        *node,
                                        guint64        old_size,
                                        const guint8  *old_root,
                                        guint64        new_size,
                                        const guint8  *new_root);

/* A grant to @provider of summary+allergies for TREAT, a day long. */
CwTx           *tx_make_grant          (TxPatient     *patient,
                                        const char    *provider,
                                        CwScopes       scopes,
                                        CwPurpose      purpose);
CwTx           *tx_make_enroll         (TxPatient     *patient,
                                        const char    *invite,
                                        const char    *clinic);
CwTx           *tx_make_access         (TxPatient     *patient,
                                        const char    *provider,
                                        const guint8  *grant_id,
                                        CwScopes       scopes,
                                        CwPurpose      purpose);

/* Sets one key of node.conf. */
void            tx_node_set_config     (TxNode        *node,
                                        const char    *group,
                                        const char    *key,
                                        const char    *value);

/* RFC 9421 fields for GET @path (with its query) to this node, signed by
 * @key at @created (0: now), as PROTOCOL.md §7 says. */
void            tx_sign_read           (TxNode        *node,
                                        const char    *path,
                                        CwSigningKey  *key,
                                        gint64         created,
                                        char         **out_input,
                                        char         **out_signature);
/* GET @path with these fields (NULL leaves one out); parses the JSON. */
guint           tx_get_with_signature  (TxNode        *node,
                                        const char    *path,
                                        const char    *signature_input,
                                        const char    *signature,
                                        JsonObject   **out_json);
/* GET @path signed by @key now. */
guint           tx_get_signed          (TxNode        *node,
                                        const char    *path,
                                        CwSigningKey  *key,
                                        JsonObject   **out_json);
/* Asserts an error answer's stable code. */
void            tx_expect_error        (JsonObject    *answer,
                                        const char    *code);
/* Verifies a list item's "proof" of its "id" at "index" into the tree of
 * @size and @root. */
void            tx_check_item_proof    (JsonObject    *item,
                                        guint64        size,
                                        const guint8  *root);

/* GET @path, asserting 200; the body. */
GBytes         *tx_get_ok              (TxNode        *node,
                                        const char    *path);

/* Rebuilds the log tree of the checkpoint at @size from the node's entry
 * bundles, and checks its root against @root and each level-0 hash tile
 * the node serves against it. */
CwLogTree      *tx_rebuild_tree        (TxNode        *node,
                                        guint64        size,
                                        const guint8  *root);

/* A transaction the node acknowledged under load, and where. */
typedef struct
{
  guint64 index;
  guint8 id[CW_TX_ID_SIZE];
} TxAcked;

/* Load for crash and shutdown tests: @n_threads threads, each with its own
 * session, send provider access attempts of @patient (logged as denied:
 * the grant does not exist) as fast as the node answers, until it stops
 * answering (refused connections, or 503 while it shuts down) or
 * tx_load_finish(). Every acknowledgement is appended to @acked (TxAcked),
 * which may already hold earlier rounds'. */
typedef struct _TxLoad TxLoad;

TxLoad         *tx_load_start          (TxNode        *node,
                                        TxPatient     *patient,
                                        guint          n_threads,
                                        GArray        *acked);
guint           tx_load_count_acked    (TxLoad        *load);
/* Stops and joins the threads, and frees @load. */
void            tx_load_finish         (TxLoad        *load);
/* Asserts that each of @acked is in @tree (of @size leaves) at its index. */
void            tx_assert_acked_logged (CwLogTree     *tree,
                                        guint64        size,
                                        GArray        *acked);

G_END_DECLS

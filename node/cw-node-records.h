/* cw-node-records.h: the consent state the node keeps (patients, grants,
 * requests, invites, logged transactions) as plain records, and the batch
 * the sequencer hands to the store to commit in one transaction. */
#pragma once

#include <glib.h>

#include "cw-key.h"
#include "cw-tx.h"

G_BEGIN_DECLS

/* A patient's chain head and keys. */
typedef struct
{
  char    *id;                                  /* base64 enrollment key */
  guint8   current_key[CW_PUBLIC_KEY_SIZE];
  guint8   recovery_key[CW_PUBLIC_KEY_SIZE];
  char    *clinic;
  guint64  seq;                                 /* of the head transaction */
  guint8   head[CW_TX_ID_SIZE];                 /* ID of the head transaction */
  guint64  enrolled_index;
} CwNodePatient;

typedef struct
{
  guint8     id[CW_TX_ID_SIZE];
  char      *patient;
  char      *provider;
  CwScopes   scopes;
  CwPurpose  purpose;
  CwAccess   access;
  char      *data_from;                         /* nullable */
  char      *data_to;                           /* nullable */
  gint64     expires;                           /* Unix seconds */
  gboolean   has_request;
  guint8     request[CW_TX_ID_SIZE];
  guint64    index;
  gboolean   revoked;
  guint8     revoked_by[CW_TX_ID_SIZE];
  guint64    revoked_index;
} CwNodeGrant;

typedef enum {
  CW_NODE_REQUEST_PENDING,
  CW_NODE_REQUEST_GRANTED,
  CW_NODE_REQUEST_DENIED,
} CwNodeRequestState;

typedef struct
{
  guint8              id[CW_TX_ID_SIZE];
  char               *patient;
  char               *provider;
  CwScopes            scopes;
  CwPurpose           purpose;
  CwAccess            access;
  gint64              expires;
  char               *reason;
  guint64             index;
  CwNodeRequestState  state;
  guint8              answered_by[CW_TX_ID_SIZE];
} CwNodeRequest;

typedef struct
{
  guint8    code_hash[CW_HASH_SIZE];
  char     *provider;
  gint64    expires;
  gboolean  used;
  gint64    used_at;
  guint8    used_by[CW_PUBLIC_KEY_SIZE];
} CwNodeInvite;

/* How a logged transaction was decided. Only access transactions are ever
 * logged as denied; every other refused transaction is not logged. */
typedef enum {
  CW_NODE_OUTCOME_ACCEPTED,
  CW_NODE_OUTCOME_ALLOWED,
  CW_NODE_OUTCOME_DENIED,
} CwNodeOutcome;

/* One log entry: its leaf data is @id. */
typedef struct
{
  guint64        index;
  guint8         id[CW_TX_ID_SIZE];
  CwTxType       type;
  char          *patient;
  char          *provider;                      /* nullable */
  guint64        seq;                           /* patient-signed types only */
  CwNodeOutcome  outcome;
  GBytes        *envelope;
  gint64         received;
} CwNodeTxRecord;

/* Everything one batch changes, committed atomically by the store. The
 * records are the final state of each row after the batch. */
typedef struct
{
  guint64    old_size;
  guint64    new_size;
  guint8     new_root[CW_HASH_SIZE];
  GBytes    *tree_hashes;      /* stored hashes the tree grew by (cw-log-tree.h) */
  GPtrArray *transactions;     /* CwNodeTxRecord, in index order */
  GPtrArray *patients;         /* CwNodePatient, new or changed */
  GPtrArray *grants;           /* CwNodeGrant, new or changed */
  GPtrArray *requests;         /* CwNodeRequest, new or changed */
  GPtrArray *used_invites;     /* CwNodeInvite, newly used */
} CwNodeBatch;

const char     *cw_node_outcome_to_string        (CwNodeOutcome        outcome);
gboolean        cw_node_outcome_from_string      (const char          *text,
                                                  CwNodeOutcome       *out);
const char     *cw_node_request_state_to_string  (CwNodeRequestState   state);
gboolean        cw_node_request_state_from_string (const char         *text,
                                                   CwNodeRequestState *out);

/* Scopes and access as the store writes them: names joined by ','. */
char           *cw_node_scopes_to_string         (CwScopes             scopes);
gboolean        cw_node_scopes_from_string       (const char          *text,
                                                  CwScopes            *out);
char           *cw_node_access_to_string         (CwAccess             access);
gboolean        cw_node_access_from_string       (const char          *text,
                                                  CwAccess            *out);

CwNodePatient  *cw_node_patient_copy             (const CwNodePatient *self);
void            cw_node_patient_free             (CwNodePatient       *self);
CwNodeGrant    *cw_node_grant_copy               (const CwNodeGrant   *self);
void            cw_node_grant_free               (CwNodeGrant         *self);
CwNodeRequest  *cw_node_request_copy             (const CwNodeRequest *self);
void            cw_node_request_free             (CwNodeRequest       *self);
CwNodeInvite   *cw_node_invite_copy              (const CwNodeInvite  *self);
void            cw_node_invite_free              (CwNodeInvite        *self);
void            cw_node_tx_record_free           (CwNodeTxRecord      *self);

CwNodeBatch    *cw_node_batch_new                (guint64              old_size);
void            cw_node_batch_free               (CwNodeBatch         *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CwNodePatient, cw_node_patient_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CwNodeGrant, cw_node_grant_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CwNodeRequest, cw_node_request_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CwNodeInvite, cw_node_invite_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CwNodeTxRecord, cw_node_tx_record_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CwNodeBatch, cw_node_batch_free)

G_END_DECLS

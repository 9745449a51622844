/* cw-node-rules.h: the consent rules, a deterministic state machine over
 * the committed state (store lookups) and the earlier effects of the batch
 * being built. Given the same store, the same batch time and the same
 * submissions in the same order, it makes the same decisions.
 *
 * Decisions, per type (docs/PROTOCOL.md §6 and §8):
 *   every type   `time` at most CW_NODE_RULES_MAX_FUTURE seconds after the
 *                node's clock; a transaction already logged (same ID) is a
 *                duplicate and gets its first receipt again;
 *   enroll       signed by the patient key; the patient is new; the invite
 *                code's SHA-256 is stored, unused, unexpired and issued for
 *                `clinic`, a known provider; the invite is used up;
 *   grant, revoke, deny, rotate
 *                the patient is enrolled; signed by the current key (rotate:
 *                or the recovery key); `seq` is the head's + 1 and `prev`
 *                the head's ID; grant: a known provider, `expires` in the
 *                future, an optional `request` pending from the same
 *                provider to the same patient (it becomes granted); revoke:
 *                an active grant of the same patient; deny: a pending
 *                request to the same patient; rotate: the new key becomes
 *                current (and the new recovery key, if given, the recovery
 *                key), so the old current key is refused from then on;
 *   request      a known provider, signed by its key, an enrolled patient,
 *                `expires` in the future;
 *   access       a known provider, signed by its key, an enrolled patient;
 *                always logged: "allowed" when the cited grant is this
 *                patient's, to this provider, not revoked, not expired, and
 *                covers every scope and the purpose; "denied" otherwise.
 */
#pragma once

#include "cw-node-records.h"
#include "cw-node-store.h"
#include "cw-node-submission.h"

G_BEGIN_DECLS

#define CW_NODE_RULES_ERROR (cw_node_rules_error_quark ())

typedef enum {
  CW_NODE_RULES_ERROR_BAD_SIGNATURE,       /* not signed by the key the type needs */
  CW_NODE_RULES_ERROR_TIME_IN_FUTURE,      /* `time` too far ahead */
  CW_NODE_RULES_ERROR_UNKNOWN_PATIENT,
  CW_NODE_RULES_ERROR_CHAIN_CONFLICT,      /* seq/prev do not follow the head */
  CW_NODE_RULES_ERROR_INVALID_INVITE,      /* unknown, used, expired or another clinic's */
  CW_NODE_RULES_ERROR_UNKNOWN_PROVIDER,    /* not in the directory, or removed */
  CW_NODE_RULES_ERROR_EXPIRED,             /* `expires` is not in the future */
  CW_NODE_RULES_ERROR_UNKNOWN_GRANT,       /* no such grant of this patient */
  CW_NODE_RULES_ERROR_GRANT_INACTIVE,      /* revoked or expired */
  CW_NODE_RULES_ERROR_UNKNOWN_REQUEST,     /* no such request to this patient */
  CW_NODE_RULES_ERROR_REQUEST_NOT_PENDING, /* answered or expired */
  CW_NODE_RULES_ERROR_INVALID_KEY,         /* rotate to the key in use */
} CwNodeRulesError;

/* How far `time` may be ahead of the node's clock (clock skew). */
#define CW_NODE_RULES_MAX_FUTURE 300

typedef struct _CwNodeRules CwNodeRules;

GQuark        cw_node_rules_error_quark (void);

CwNodeRules  *cw_node_rules_new         (CwNodeStore      *store);
void          cw_node_rules_free        (CwNodeRules      *self);

/* Starts a batch that grows the log from @size; @now (Unix seconds) is the
 * time every rule of the batch is checked against. */
void          cw_node_rules_begin       (CwNodeRules      *self,
                                         guint64           size,
                                         gint64            now);
/* Decides @submission (prepared, without error). On success it is either
 * the batch's next entry or a duplicate, and @submission->index,
 * ->outcome and ->duplicate say which; on failure nothing changed and
 * @submission->has_head may be set (chain conflicts). Store failures are
 * reported in the CW_NODE_STORE_ERROR domain. */
gboolean      cw_node_rules_apply       (CwNodeRules      *self,
                                         CwNodeSubmission *submission,
                                         GError          **error);
/* Ends the batch: its transactions and changed state, to commit. The tree
 * fields are left for the caller. */
CwNodeBatch  *cw_node_rules_finish      (CwNodeRules      *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CwNodeRules, cw_node_rules_free)

G_END_DECLS

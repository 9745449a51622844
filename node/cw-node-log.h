/* cw-node-log.h: the log's signed checkpoints: signing the committed tree
 * head with the log key and publishing the result through the store. */
#pragma once

#include "cw-key.h"
#include "cw-node-store.h"

G_BEGIN_DECLS

/* Signs a checkpoint for the tree head the store has committed, and stores
 * it. The sequencer calls this after every batch; init calls it once for
 * the empty tree. Never signs anything but the committed head, so two
 * signed checkpoints can never disagree. */
gboolean  cw_node_log_sign_checkpoint (CwNodeStore   *store,
                                       const char    *origin,
                                       CwSigningKey  *log_key,
                                       GError       **error);

/* Signs the committed head if the latest checkpoint is older, as after a
 * crash between a commit and its signature. @out_size gets the size of the
 * checkpoint now being served. */
gboolean  cw_node_log_ensure_checkpoint (CwNodeStore   *store,
                                         const char    *origin,
                                         CwSigningKey  *log_key,
                                         guint64       *out_size,
                                         GError       **error);

G_END_DECLS

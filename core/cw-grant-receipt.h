/* cw-grant-receipt.h: what the grant details view shows about one grant:
 * its stored terms, and its receipt re-verified on the spot against the
 * node profile (log key, witness quorum, inclusion of the grant's ID). */
#pragma once

#include "cw-wallet-store.h"

G_BEGIN_DECLS

typedef struct {
  CwStoreGrant  *grant;           /* the stored grant */
  char          *provider_name;   /* from the directory, or the provider ID */
  char          *organization;    /* may be "" */
  gboolean       has_receipt;     /* the log confirmed it */
  gint64         log_index;       /* -1 without a receipt */
  guint64        checkpoint_size;
  char          *checkpoint_root; /* base64 */
  char          *origin;          /* the log's name */
  char         **cosigners;       /* names of the witnesses whose cosignature verified */
  guint          quorum;
  gboolean       verified;        /* the receipt checked out just now */
  char          *problem;         /* why not (a check's error message), or %NULL */
} CwGrantReceipt;

void            cw_grant_receipt_free (CwGrantReceipt *self);

/* Reads grant @grant_id and re-verifies its receipt. Blocking (SQLite and
 * signature checks): call it from a worker thread. A receipt that fails is
 * not an error here: @verified is FALSE and @problem says why. */
CwGrantReceipt *cw_grant_receipt_load (CwWalletStore  *store,
                                       const char     *grant_id,
                                       GError        **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CwGrantReceipt, cw_grant_receipt_free)

G_END_DECLS

/* cw-tx-fields.h: the content rules of single consent transaction fields
 * (provider IDs, invites, reasons, dates and times), shared with forms in the
 * UI; included by cw-tx.h.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CW_TX_MAX_PROVIDER_ID_LEN 64
#define CW_TX_MAX_INVITE_LEN 128
#define CW_TX_MAX_REASON_LEN 500

/* Validators for single fields, shared with forms in the UI. */
gboolean     cw_tx_provider_id_is_valid  (const char   *id);
gboolean     cw_tx_invite_is_valid       (const char   *invite);
gboolean     cw_tx_reason_is_valid       (const char   *reason);
gboolean     cw_tx_date_is_valid         (const char   *date);
/* Parses "YYYY-MM-DDTHH:MM:SSZ" exactly; NULL if not that or not real. */
GDateTime   *cw_tx_parse_time            (const char   *text);
char        *cw_tx_format_time           (GDateTime    *time);

G_END_DECLS

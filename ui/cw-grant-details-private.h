/* cw-grant-details-private.h: what the tests look at and drive inside the
 * grant details window. */
#pragma once

#include "cw-grant-details.h"

G_BEGIN_DECLS

/* "loading", "details" or "error". */
const char     *cw_grant_details_get_state        (CwGrantDetails *self);
/* The text shown for the receipt's check, e.g. "Verified". */
const char     *cw_grant_details_get_receipt_text (CwGrantDetails *self);
/* The row subtitles, by row name: "scopes", "purpose", "period",
 * "log-index", "checkpoint", "witnesses". */
const char     *cw_grant_details_get_row_text     (CwGrantDetails *self,
                                                   const char     *row);
/* What the file chooser's "Save" does: writes the FHIR Consent to @file;
 * emits "exported" when done. */
void            cw_grant_details_export_to_file   (CwGrantDetails *self,
                                                   GFile          *file);

G_END_DECLS

/* cw-node-invite-sheet.h: what `consent-node invite` hands a clinic to
 * give a patient: the invite's QR code as a PNG, and a printable one-page
 * PDF with the QR code, the clinic's name and three plain steps. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define CW_NODE_INVITE_SHEET_ERROR (cw_node_invite_sheet_error_quark ())

typedef enum {
  CW_NODE_INVITE_SHEET_ERROR_ENCODE,   /* the URI does not fit in a QR code */
  CW_NODE_INVITE_SHEET_ERROR_RENDER,   /* cairo could not draw or write */
} CwNodeInviteSheetError;

GQuark    cw_node_invite_sheet_error_quark (void);

/* The QR code of @uri, @module_px pixels per module with the standard
 * four-module quiet zone, written to the new file @path (never replaced). */
gboolean  cw_node_invite_sheet_write_qr_png (const char   *uri,
                                             guint         module_px,
                                             const char   *path,
                                             GError      **error);

/* An A4 page for the patient: who invites, the QR code of @uri, three
 * steps, the one-time code and its expiry. Written to the new file @path. */
gboolean  cw_node_invite_sheet_write_pdf    (const char   *uri,
                                             const char   *clinic_name,
                                             const char   *organization,
                                             const char   *code,
                                             gint64        expires,
                                             const char   *path,
                                             GError      **error);

G_END_DECLS

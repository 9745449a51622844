/* cw-node-invite-sheet.c: the invite's QR code (libqrencode) drawn with
 * cairo, as a PNG and on a one-page PDF. Files are created, never
 * replaced. */
#include "config.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <glib/gstdio.h>
#include <string.h>
#include <qrencode.h>

#include "cw-node-invite-sheet.h"

G_DEFINE_QUARK (cw-node-invite-sheet-error-quark, cw_node_invite_sheet_error)

#define QUIET_ZONE 4
/* A4 in points. */
#define PAGE_WIDTH 595.0
#define PAGE_HEIGHT 842.0

G_DEFINE_AUTOPTR_CLEANUP_FUNC (QRcode, QRcode_free)

static QRcode *
encode (const char  *uri,
        GError     **error)
{
  /* Level M survives a crease or a smudge on a printed sheet. */
  QRcode *qr = QRcode_encodeString8bit (uri, 0, QR_ECLEVEL_M);

  if (qr == NULL)
    g_set_error (error, CW_NODE_INVITE_SHEET_ERROR, CW_NODE_INVITE_SHEET_ERROR_ENCODE,
                 "The invite (%zu characters) does not fit in a QR code.", strlen (uri));
  return qr;
}

/* Dark modules as squares of @module in user units, quiet zone included,
 * with the top left corner at (x, y). */
static void
draw_qr (cairo_t *cr,
         QRcode  *qr,
         double   x,
         double   y,
         double   module)
{
  double side = (qr->width + 2 * QUIET_ZONE) * module;

  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_rectangle (cr, x, y, side, side);
  cairo_fill (cr);
  cairo_set_source_rgb (cr, 0, 0, 0);
  for (int row = 0; row < qr->width; row++)
    for (int col = 0; col < qr->width; col++)
      if (qr->data[row * qr->width + col] & 1)
        cairo_rectangle (cr, x + (col + QUIET_ZONE) * module, y + (row + QUIET_ZONE) * module,
                         module, module);
  cairo_fill (cr);
}

static cairo_status_t
write_stream_cb (void                *closure,
                 const unsigned char *data,
                 unsigned int         length)
{
  GOutputStream *stream = closure;

  return g_output_stream_write_all (stream, data, length, NULL, NULL, NULL)
         ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

static GOutputStream *
create_file (const char  *path,
             GError     **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);

  return G_OUTPUT_STREAM (g_file_create (file, G_FILE_CREATE_NONE, NULL, error));
}

static gboolean
finish_file (GOutputStream   *stream,
             const char      *path,
             cairo_status_t   status,
             GError         **error)
{
  g_autoptr(GError) close_error = NULL;
  gboolean closed = g_output_stream_close (stream, NULL, &close_error);

  if (status == CAIRO_STATUS_SUCCESS && closed)
    return TRUE;

  g_unlink (path);
  if (status != CAIRO_STATUS_SUCCESS)
    g_set_error (error, CW_NODE_INVITE_SHEET_ERROR, CW_NODE_INVITE_SHEET_ERROR_RENDER,
                 "Could not write “%s”: %s", path, cairo_status_to_string (status));
  else
    g_propagate_error (error, g_steal_pointer (&close_error));
  return FALSE;
}

gboolean
cw_node_invite_sheet_write_qr_png (const char  *uri,
                                   guint        module_px,
                                   const char  *path,
                                   GError     **error)
{
  g_autoptr(QRcode) qr = encode (uri, error);
  g_autoptr(GOutputStream) stream = NULL;
  cairo_surface_t *surface;
  cairo_t *cr;
  cairo_status_t status;
  int side;

  if (qr == NULL)
    return FALSE;
  stream = create_file (path, error);
  if (stream == NULL)
    return FALSE;

  side = (qr->width + 2 * QUIET_ZONE) * (int) module_px;
  surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, side, side);
  cr = cairo_create (surface);
  cairo_set_antialias (cr, CAIRO_ANTIALIAS_NONE);
  draw_qr (cr, qr, 0, 0, module_px);
  cairo_destroy (cr);
  status = cairo_surface_write_to_png_stream (surface, write_stream_cb, stream);
  cairo_surface_destroy (surface);

  return finish_file (stream, path, status, error);
}

static void
show_text (cairo_t    *cr,
           double      x,
           double      y,
           double      size,
           gboolean    bold,
           const char *text)
{
  cairo_select_font_face (cr, "Sans", CAIRO_FONT_SLANT_NORMAL,
                          bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size (cr, size);
  cairo_move_to (cr, x, y);
  cairo_show_text (cr, text);
}

gboolean
cw_node_invite_sheet_write_pdf (const char  *uri,
                                const char  *clinic_name,
                                const char  *organization,
                                const char  *code,
                                gint64       expires,
                                const char  *path,
                                GError     **error)
{
  g_autoptr(QRcode) qr = encode (uri, error);
  g_autoptr(GOutputStream) stream = NULL;
  g_autoptr(GDateTime) expiry = NULL;
  g_autofree char *title = NULL;
  g_autofree char *step3 = NULL;
  g_autofree char *code_line = NULL;
  g_autofree char *expiry_line = NULL;
  cairo_surface_t *surface;
  cairo_t *cr;
  cairo_status_t status;
  double module;
  double qr_side;
  double y;

  if (qr == NULL)
    return FALSE;
  stream = create_file (path, error);
  if (stream == NULL)
    return FALSE;

  expiry = g_date_time_new_from_unix_utc (expires);
  title = g_strdup_printf ("%s invites you to Consent Wallet", organization);
  step3 = g_strdup_printf ("3. Check that the app shows %s (%s), then confirm.", clinic_name,
                           organization);
  code_line = g_strdup_printf ("One-time code: %s", code);
  expiry_line = g_date_time_format (expiry, "Valid until %Y-%m-%d %H:%M UTC. Use it once.");

  surface = cairo_pdf_surface_create_for_stream (write_stream_cb, stream, PAGE_WIDTH, PAGE_HEIGHT);
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_TITLE, title);
  cr = cairo_create (surface);

  cairo_set_source_rgb (cr, 0, 0, 0);
  show_text (cr, 56, 80, 20, TRUE, title);
  show_text (cr, 56, 108, 12, FALSE,
             "With Consent Wallet you decide who may see your health records, and you see who did.");

  /* About 11 cm wide at most, whatever the QR version. */
  qr_side = 320;
  module = qr_side / (qr->width + 2 * QUIET_ZONE);
  draw_qr (cr, qr, (PAGE_WIDTH - qr_side) / 2, 140, module);

  y = 140 + qr_side + 48;
  cairo_set_source_rgb (cr, 0, 0, 0);
  show_text (cr, 56, y, 14, TRUE, "Three steps");
  show_text (cr, 56, y + 28, 12, FALSE,
             "1. Install Consent Wallet on your computer and open it.");
  show_text (cr, 56, y + 50, 12, FALSE,
             "2. Choose \xe2\x80\x9cJoin a clinic\xe2\x80\x9d and scan this code, or open the "
             "invite file you were given.");
  show_text (cr, 56, y + 72, 12, FALSE, step3);
  show_text (cr, 56, y + 94, 12, FALSE,
             "    Write down the recovery code it shows you and keep it somewhere safe.");
  show_text (cr, 56, y + 136, 11, FALSE, code_line);
  show_text (cr, 56, y + 154, 11, FALSE, expiry_line);
  show_text (cr, 56, PAGE_HEIGHT - 56, 9, FALSE,
             "Keep this page private until you have joined: the code lets one person enroll once.");

  cairo_show_page (cr);
  status = cairo_status (cr);
  cairo_destroy (cr);
  cairo_surface_finish (surface);
  if (status == CAIRO_STATUS_SUCCESS)
    status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);
  /* The toy font API caches fontconfig patterns for the process; nothing
   * else here uses cairo, so drop them rather than leave them to exit. */
  cairo_debug_reset_static_data ();

  return finish_file (stream, path, status, error);
}

/* cw-encoding.h: strict base64, base64url and hex codecs for outside input.
 *
 * GLib's g_base64_decode() skips characters it does not know, so a flipped
 * bit can decode to other bytes without an error. Everything we parse from
 * the network or a file goes through these strict decoders instead, which
 * accept only the canonical encoding (RFC 4648 §3.5: padding required,
 * unused bits zero).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CW_ENCODING_ERROR (cw_encoding_error_quark ())

typedef enum {
  CW_ENCODING_ERROR_INVALID,
} CwEncodingError;

GQuark      cw_encoding_error_quark      (void);

/* Standard alphabet with padding (RFC 4648 §4). */
GBytes     *cw_base64_decode             (const char    *text,
                                          gssize         len,
                                          GError       **error);
char       *cw_base64_encode             (const guint8  *data,
                                          gsize          len);
/* Decodes exactly @out_len bytes into @out, else fails (and @out may
 * hold part of the text's bytes). */
gboolean    cw_base64_decode_fixed       (const char    *text,
                                          gssize         len,
                                          guint8        *out,
                                          gsize          out_len,
                                          GError       **error);

/* URL-safe alphabet without padding (RFC 4648 §5), as in consentwallet: URIs. */
GBytes     *cw_base64url_decode          (const char    *text,
                                          gssize         len,
                                          GError       **error);
char       *cw_base64url_encode          (const guint8  *data,
                                          gsize          len);

/* Lower-case hex. Decoding accepts lower case only. */
char       *cw_hex_encode                (const guint8  *data,
                                          gsize          len);
gboolean    cw_hex_decode_fixed          (const char    *text,
                                          gssize         len,
                                          guint8        *out,
                                          gsize          out_len,
                                          GError       **error);

/* SHA-256 helpers (libsodium). */
#define CW_HASH_SIZE 32
void        cw_sha256                    (const guint8  *data,
                                          gsize          len,
                                          guint8         out[CW_HASH_SIZE]);

/* Constant-time comparison for secrets and MACs. */
gboolean    cw_memequal                  (const guint8  *a,
                                          const guint8  *b,
                                          gsize          len);

/* Parses a decimal unsigned integer without sign, spaces or leading zeros
 * ("0" itself is allowed), that fits in 64 bits. */
gboolean    cw_parse_uint64              (const char    *text,
                                          gssize         len,
                                          guint64       *out);

G_END_DECLS

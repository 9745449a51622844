/* cw-json-reader.h: a cursor over a JSON document that
 * cw_canonical_json_check_document() has already accepted, for the few large
 * documents where building a json-glib tree costs more than the data is
 * worth: the node's list pages (up to 1000 items, ~1.5 MB), where the
 * wallet needs a handful of members per item and each envelope as text.
 *
 * Because the document is known to be strict JSON (RFC 8259, UTF-8, no
 * duplicate member names, bounded depth), the reader only has to walk it;
 * it still never reads past the end and fails cleanly on anything it does
 * not expect, so a caller that forgets the check gets errors, not crashes.
 * Strings are decoded exactly (escapes and surrogate pairs); a string that
 * decodes to U+0000 is refused, as C strings cannot hold it.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  const char *data;
  gsize       len;
  gsize       pos;
} CwJsonReader;

void      cw_json_reader_init          (CwJsonReader  *self,
                                        const char    *data,
                                        gsize          len);

/* The next value's first byte ('{', '[', '"', 'n', 't', 'f', '-' or a
 * digit), after white space; 0 at the end. */
char      cw_json_reader_peek          (CwJsonReader  *self);
/* Consumes '{' or '['. */
gboolean  cw_json_reader_begin         (CwJsonReader  *self,
                                        char           open);
/* In an object: the next member's decoded name (owned) and TRUE, or FALSE
 * after consuming the closing '}' (@name %NULL), or FALSE on a malformed
 * document (@name %NULL, position unchanged at the bad byte). */
gboolean  cw_json_reader_next_member   (CwJsonReader  *self,
                                        char         **name,
                                        gboolean      *malformed);
/* In an array: TRUE if another element follows, FALSE after consuming the
 * closing ']' (or on a malformed document, with @malformed set). */
gboolean  cw_json_reader_next_element  (CwJsonReader  *self,
                                        gboolean      *malformed);
/* A string value, decoded; %NULL if the value is not a string. */
char     *cw_json_reader_read_string   (CwJsonReader  *self);
/* A string value without escapes, borrowed from the document: @text gets
 * its first byte and @len its length. FALSE, with the reader where it was,
 * if the value is not a string or holds an escape (then read it with
 * cw_json_reader_read_string()). */
gboolean  cw_json_reader_read_plain_string (CwJsonReader  *self,
                                        const char   **text,
                                        gsize         *len);
/* A non-negative integer without fraction or exponent, within 2^63 - 1;
 * FALSE for anything else. */
gboolean  cw_json_reader_read_uint     (CwJsonReader  *self,
                                        guint64       *value);
/* An integer without fraction or exponent, within ±(2^63 - 1); FALSE for
 * anything else. */
gboolean  cw_json_reader_read_int      (CwJsonReader  *self,
                                        gint64        *value);
/* Consumes `null`. */
gboolean  cw_json_reader_read_null     (CwJsonReader  *self);
/* Steps over one value of any kind. */
gboolean  cw_json_reader_skip          (CwJsonReader  *self);
/* Skips one object or array and returns it as compact text (white space
 * outside strings removed, everything else byte for byte), owned; %NULL
 * for any other value. */
char     *cw_json_reader_read_compact  (CwJsonReader  *self,
                                        gsize         *len);

G_END_DECLS

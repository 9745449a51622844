/* cw-canonical-json.h: canonical JSON for consent payloads, the subset of
 * RFC 8785 (JSON Canonicalization Scheme) fixed in DESIGN.md.
 *
 * Canonical form: no insignificant white space; object members sorted by
 * the UTF-16 code units of their names (RFC 8785 §3.2.3) with no duplicate
 * names; strings escaped minimally as RFC 8785 §3.2.2.2 says (only '"', '\\'
 * and U+0000..U+001F are escaped, as \b \t \n \f \r where those exist and
 * otherwise as \u00xx with lower-case hex); numbers are integers only, in
 * the shortest form, no "-0", within ±(2^53 - 1); UTF-8 only; nesting at most
 * CW_CANONICAL_JSON_MAX_DEPTH deep.
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define CW_CANONICAL_JSON_ERROR (cw_canonical_json_error_quark ())

typedef enum {
  CW_CANONICAL_JSON_ERROR_SYNTAX,         /* not JSON at all */
  CW_CANONICAL_JSON_ERROR_WHITESPACE,     /* insignificant white space */
  CW_CANONICAL_JSON_ERROR_UNSORTED_KEYS,  /* member names out of order */
  CW_CANONICAL_JSON_ERROR_DUPLICATE_KEY,  /* a member name appears twice */
  CW_CANONICAL_JSON_ERROR_FLOAT,          /* fraction or exponent */
  CW_CANONICAL_JSON_ERROR_NUMBER_FORM,    /* -0 or a leading zero */
  CW_CANONICAL_JSON_ERROR_NUMBER_RANGE,   /* beyond ±(2^53 - 1) */
  CW_CANONICAL_JSON_ERROR_ESCAPE,         /* needless or wrong escape */
  CW_CANONICAL_JSON_ERROR_HEX_CASE,       /* upper-case hex in \u escape */
  CW_CANONICAL_JSON_ERROR_CONTROL_CHAR,   /* unescaped U+0000..U+001F */
  CW_CANONICAL_JSON_ERROR_UTF8,           /* invalid UTF-8 */
  CW_CANONICAL_JSON_ERROR_DEPTH,          /* nested too deeply */
  CW_CANONICAL_JSON_ERROR_TRAILING,       /* bytes after the value */
  CW_CANONICAL_JSON_ERROR_UNREPRESENTABLE,/* json-glib cannot hold it */
} CwCanonicalJsonError;

/* Arrays and objects nest at most this deep. */
#define CW_CANONICAL_JSON_MAX_DEPTH 16

/* The largest integer magnitude, 2^53 - 1 (RFC 7493 §2.2). */
#define CW_CANONICAL_JSON_MAX_INT G_GINT64_CONSTANT (9007199254740991)

GQuark     cw_canonical_json_error_quark  (void);

/* Encodes @node in canonical form. Fails on doubles, out-of-range integers,
 * invalid UTF-8 and excessive depth. */
GBytes    *cw_canonical_json_encode       (JsonNode       *node,
                                           GError        **error);

/* Checks that @data is already canonical, byte for byte. On failure the
 * message names the rule and the byte offset, also stored in @error_offset
 * when not %NULL. */
gboolean   cw_canonical_json_check        (const guint8   *data,
                                           gsize           len,
                                           gsize          *error_offset,
                                           GError        **error);

/* Checks that @data is strict RFC 8259 JSON in UTF-8 with no duplicate
 * member names and bounded depth; white space, member order, escapes and
 * number forms are free. For documents such as DSSE envelopes that other
 * implementations may write differently. */
gboolean   cw_canonical_json_check_strict (const guint8   *data,
                                           gsize           len,
                                           gsize          *error_offset,
                                           GError        **error);

/* cw_canonical_json_check() then json-glib parsing; also fails if the tree
 * json-glib built would not encode back to the same bytes. */
JsonNode  *cw_canonical_json_parse        (const guint8   *data,
                                           gsize           len,
                                           GError        **error);

/* cw_canonical_json_check_strict(), and no string may decode to U+0000:
 * for protocol documents, whose strings (base64, names, types) never hold
 * it and which are read as C strings (json-glib, cw-json-reader.h), where
 * "<type>\u0000junk" would read as "<type>". Fails with
 * CW_CANONICAL_JSON_ERROR_UNREPRESENTABLE for U+0000. */
gboolean   cw_canonical_json_check_document (const guint8 *data,
                                             gsize         len,
                                             GError      **error);

/* cw_canonical_json_check_document() then json-glib parsing. */
JsonNode  *cw_canonical_json_parse_strict (const guint8   *data,
                                           gsize           len,
                                           GError        **error);

/* Compares two UTF-8 strings by their UTF-16 code units, the member order
 * of RFC 8785 §3.2.3. */
int        cw_canonical_json_compare_keys (const char     *a,
                                           gsize           a_len,
                                           const char     *b,
                                           gsize           b_len);

G_END_DECLS

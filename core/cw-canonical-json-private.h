/* cw-canonical-json-private.h: what the encoder and parsers
 * (cw-canonical-json.c) share with the scanner (cw-canonical-json-check.c).
 * Not for callers. */
#pragma once

#include "cw-canonical-json.h"

G_BEGIN_DECLS

/* Short escapes of RFC 8785 §3.2.2.2, indexed by code point; '\0' where
 * a control character has none. */
extern const char cw_canonical_json_short_escapes[0x20];

/* Walks @data once: the canonical grammar, or with @canonical FALSE strict
 * RFC 8259. @out_has_nul (may be %NULL) tells whether a string decodes to
 * U+0000. */
gboolean   cw_canonical_json_scan         (const guint8   *data,
                                           gsize           len,
                                           gboolean        canonical,
                                           gsize          *error_offset,
                                           gboolean       *out_has_nul,
                                           GError        **error);

/* Appends @str, valid UTF-8 (the caller checks), as a canonical JSON
 * string: quotes, backslashes and control characters escaped as RFC 8785
 * §3.2.2.2 says, everything else as it is. */
void       cw_canonical_json_append_string (GString        *out,
                                            const char     *str);

G_END_DECLS

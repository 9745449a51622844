/* cw-tlog-proof.h: c2sp.org/tlog-proof bundles, the portable receipts the
 * wallet keeps: an entry index, its RFC 9162 inclusion path and the signed
 * checkpoint it leads to (https://c2sp.org/tlog-proof).
 *
 *   c2sp.org/tlog-proof@v1
 *   [extra <base64>]
 *   index <decimal, no leading zeros>
 *   <base64 hash, leaf sibling first>   (zero or more lines)
 *   <empty line>
 *   <checkpoint signed note, verbatim>
 *
 * The checkpoint stays opaque text here; cw-checkpoint and cw-note open and
 * verify it. The extra data is not authenticated by anything.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CW_TLOG_PROOF_HEADER "c2sp.org/tlog-proof@v1"

#define CW_TLOG_PROOF_ERROR (cw_tlog_proof_error_quark ())

typedef enum {
  CW_TLOG_PROOF_ERROR_INVALID,
} CwTlogProofError;

typedef struct {
  guint64    index;
  GPtrArray *proof;        /* GBytes of 32 bytes each */
  char      *checkpoint;   /* ends with "\n" */
  GBytes    *extra;        /* nullable; empty is written as no extra line */
} CwTlogProof;

GQuark        cw_tlog_proof_error_quark  (void);

/* Takes references to @proof and @extra and copies @checkpoint. */
CwTlogProof  *cw_tlog_proof_new          (guint64             index,
                                          GPtrArray          *proof,
                                          const char         *checkpoint,
                                          GBytes             *extra);
void          cw_tlog_proof_free         (CwTlogProof        *self);

char         *cw_tlog_proof_format       (const CwTlogProof  *self);
/* The same text for the bundle of @index, the @n_hashes proof hashes end
 * to end in @hashes, and @checkpoint, without building one: how list items
 * and stored proofs keep their hashes. */
char         *cw_tlog_proof_format_flat  (guint64             index,
                                          const guint8       *hashes,
                                          guint               n_hashes,
                                          const char         *checkpoint);
/* Strict: exactly the text cw_tlog_proof_format() would write for some
 * bundle; no NUL bytes when @len is given. */
CwTlogProof  *cw_tlog_proof_parse        (const char         *text,
                                          gssize              len,
                                          GError            **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CwTlogProof, cw_tlog_proof_free)

G_END_DECLS

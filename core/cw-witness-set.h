/* cw-witness-set.h: a consortium's witness set, rotated without trusting
 * the log operator alone (PROTOCOL.md §4 "Witness sets").
 *
 * A set is a C2SP signed note (c2sp.org/signed-note) whose text is
 *
 *   consentwallet.org/witness-set/v1
 *   origin <log origin>
 *   version <decimal, above the version it replaces>
 *   quorum <decimal, 1 to the number of witnesses>
 *   witness <verifier key>        (one line per witness)
 *
 * signed by the log key and by at least the quorum of the witnesses the
 * wallet trusts now, each with an Ed25519 (type 0x01) signature under the
 * name and public key of its cosigning key.
 */
#pragma once

#include <glib.h>

#include "cw-key.h"
#include "cw-node-profile.h"

G_BEGIN_DECLS

#define CW_WITNESS_SET_HEADER "consentwallet.org/witness-set/v1"
/* A set note larger than this is refused unread. */
#define CW_WITNESS_SET_MAX_SIZE (64 * 1024)
#define CW_WITNESS_SET_MAX_WITNESSES 32

#define CW_WITNESS_SET_ERROR (cw_witness_set_error_quark ())

typedef enum {
  CW_WITNESS_SET_ERROR_MALFORMED,     /* not a witness set note */
  CW_WITNESS_SET_ERROR_WRONG_LOG,     /* for another log origin */
  CW_WITNESS_SET_ERROR_NOT_LOG_SIGNED, /* no valid signature by the log key */
  CW_WITNESS_SET_ERROR_NO_QUORUM,     /* too few of the current witnesses signed */
  CW_WITNESS_SET_ERROR_BAD_SIGNATURE, /* a known key's signature does not verify */
  CW_WITNESS_SET_ERROR_OLD_VERSION,   /* not newer than the set in use */
} CwWitnessSetError;

GQuark cw_witness_set_error_quark (void);

typedef struct {
  char    *origin;
  guint64  version;
  guint    quorum;
  char   **witness_keys;  /* %NULL-terminated verifier key strings */
} CwWitnessSet;

void          cw_witness_set_free         (CwWitnessSet        *self);

/* The note text of a set (not signed); checks the keys and the quorum. */
char         *cw_witness_set_format       (const char          *origin,
                                           guint64              version,
                                           guint                quorum,
                                           const char * const  *witness_keys,
                                           GError             **error);
/* Parses the text of a set note, without checking signatures. */
CwWitnessSet *cw_witness_set_parse_text   (const char          *text,
                                           GError             **error);
/* Parses the text of the signed note @note, without checking signatures:
 * to look at a set before deciding whether it needs checking. */
CwWitnessSet *cw_witness_set_parse_note   (const char          *note,
                                           gsize                len,
                                           GError             **error);
/* Whether @self lists exactly the witnesses and quorum of @profile, in
 * any order: such a set changes nothing for a wallet that uses them. */
gboolean      cw_witness_set_matches      (const CwWitnessSet  *self,
                                           const CwNodeProfile *profile);
/* Appends @key's Ed25519 signature over @note's text to @note (a signed
 * or an unsigned note; an unsigned text gets its blank line). A witness
 * signs with its cosigning key's seed under the same name. */
char         *cw_witness_set_add_signature (const char         *note,
                                            CwSigningKey       *key,
                                            GError            **error);
/* Accepts @note as the successor of the set in @current (its log key,
 * witnesses and quorum) at @current_version: the log key signed it, at
 * least @current->quorum of the current witnesses signed it, a signature
 * by any of them that fails rejects it, the origin is the log's, and the
 * version is above @current_version. */
CwWitnessSet *cw_witness_set_verify       (const char          *note,
                                           gsize                len,
                                           const CwNodeProfile *current,
                                           guint64              current_version,
                                           GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CwWitnessSet, cw_witness_set_free)

G_END_DECLS

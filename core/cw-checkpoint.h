/* cw-checkpoint.h: transparency log checkpoints, parsed strictly and opened
 * against the log key and witness cosigners.
 *
 * Spec: https://c2sp.org/tlog-checkpoint. The note text is
 *   <origin>\n<decimal tree size>\n<base64 32-byte root hash>\n[<extension>\n]...
 * signed by the log key whose name equals the origin; witnesses add
 * https://c2sp.org/tlog-cosignature lines (see cw-cosignature.h).
 */
#pragma once

#include <glib.h>

#include "cw-key.h"
#include "cw-note.h"

G_BEGIN_DECLS

#define CW_CHECKPOINT_ERROR (cw_checkpoint_error_quark ())

typedef enum {
  CW_CHECKPOINT_ERROR_MALFORMED,          /* text is not a checkpoint */
  CW_CHECKPOINT_ERROR_INVALID_ARGUMENT,   /* origin or extension unusable */
  CW_CHECKPOINT_ERROR_WRONG_ORIGIN,       /* log key name is not the origin */
  CW_CHECKPOINT_ERROR_NOT_SIGNED_BY_LOG,  /* only other keys signed it */
  CW_CHECKPOINT_ERROR_INVALID_KEY,        /* log or witness key unusable */
  CW_CHECKPOINT_ERROR_NO_QUORUM,          /* too few witnesses cosigned */
} CwCheckpointError;

#define CW_CHECKPOINT_HASH_SIZE 32

GQuark cw_checkpoint_error_quark (void);

typedef struct _CwCheckpoint CwCheckpoint;

/* @extensions: %NULL-terminated extension lines without newlines, or %NULL. */
CwCheckpoint       *cw_checkpoint_new               (const char          *origin,
                                                     guint64              size,
                                                     const guint8         root_hash[CW_CHECKPOINT_HASH_SIZE],
                                                     const char * const  *extensions,
                                                     GError             **error);
/* Parses note text (no signatures). */
CwCheckpoint       *cw_checkpoint_parse             (const char          *text,
                                                     gsize                len,
                                                     GError             **error);
CwCheckpoint       *cw_checkpoint_ref               (CwCheckpoint        *self);
void                cw_checkpoint_unref             (CwCheckpoint        *self);
const char         *cw_checkpoint_get_origin        (CwCheckpoint        *self);
guint64             cw_checkpoint_get_size          (CwCheckpoint        *self);
const guint8       *cw_checkpoint_get_root_hash     (CwCheckpoint        *self);
/* %NULL-terminated, empty when there are none. */
const char * const *cw_checkpoint_get_extensions    (CwCheckpoint        *self);
gboolean            cw_checkpoint_equal             (CwCheckpoint        *a,
                                                     CwCheckpoint        *b);
/* The note text, ending in "\n". */
char               *cw_checkpoint_format            (CwCheckpoint        *self);
/* The signed note; @log_key must be Ed25519 and named like the origin. */
char               *cw_checkpoint_sign              (CwCheckpoint        *self,
                                                     CwSigningKey        *log_key,
                                                     GError             **error);

/* A checkpoint verified with the log key, and the witnesses that cosigned. */
typedef struct _CwSignedCheckpoint CwSignedCheckpoint;

/* Opens a signed checkpoint. @log_key (type 0x01) must have signed it and be
 * named like its origin; @witnesses are cosignature/v1 keys (type 0x04), with
 * distinct public keys. A known key whose signature fails rejects the note.
 * Note-level failures are reported in the CW_NOTE_ERROR domain. */
CwSignedCheckpoint *cw_signed_checkpoint_open       (const char          *msg,
                                                     gsize                len,
                                                     CwVerifierKey       *log_key,
                                                     CwVerifierKey      **witnesses,
                                                     guint                n_witnesses,
                                                     GError             **error);
CwSignedCheckpoint *cw_signed_checkpoint_ref        (CwSignedCheckpoint  *self);
void                cw_signed_checkpoint_unref      (CwSignedCheckpoint  *self);
CwCheckpoint       *cw_signed_checkpoint_get_checkpoint (CwSignedCheckpoint *self);
CwNote             *cw_signed_checkpoint_get_note   (CwSignedCheckpoint  *self);
/* Witnesses whose cosignature verified, in the order given to _open(). */
guint               cw_signed_checkpoint_get_n_cosigners (CwSignedCheckpoint *self);
CwVerifierKey      *cw_signed_checkpoint_get_cosigner (CwSignedCheckpoint *self,
                                                       guint               index);
guint64             cw_signed_checkpoint_get_cosignature_time (CwSignedCheckpoint *self,
                                                               guint               index);
gboolean            cw_signed_checkpoint_is_cosigned_by (CwSignedCheckpoint *self,
                                                         CwVerifierKey      *witness,
                                                         guint64            *out_time);
/* Fails with CW_CHECKPOINT_ERROR_NO_QUORUM unless at least @quorum of the
 * witnesses cosigned. */
gboolean            cw_signed_checkpoint_check_quorum (CwSignedCheckpoint  *self,
                                                       guint                quorum,
                                                       GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CwCheckpoint, cw_checkpoint_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CwSignedCheckpoint, cw_signed_checkpoint_unref)

G_END_DECLS

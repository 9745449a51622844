/* cw-note.h: C2SP signed notes, signing and opening against known keys.
 *
 * Spec: https://c2sp.org/signed-note (v1.0.0). A note is a UTF-8 text ending
 * in "\n", a blank line, then lines "— <name> <base64(key ID || sig)>\n".
 * Ed25519 (type 0x01) signatures are checked here; other signature types,
 * such as tlog-cosignature/v1 (type 0x04), plug in their own verifier with
 * cw_note_verifiers_add_full().
 */
#pragma once

#include <glib.h>

#include "cw-key.h"

G_BEGIN_DECLS

#define CW_NOTE_ERROR (cw_note_error_quark ())

typedef enum {
  CW_NOTE_ERROR_MALFORMED,          /* not a well-formed signed note */
  CW_NOTE_ERROR_INVALID_SIGNATURE,  /* a known key's signature does not verify */
  CW_NOTE_ERROR_UNVERIFIED,         /* no known key signed the note */
  CW_NOTE_ERROR_DUPLICATE_KEY,      /* two known keys share name and key ID */
  CW_NOTE_ERROR_UNSUPPORTED_KEY,    /* no built-in verifier for this key type */
  CW_NOTE_ERROR_INVALID_TEXT,       /* text or signer unusable for signing */
} CwNoteError;

/* Notes with more signature lines than this are rejected unread. The spec
 * asks for at least 16; Go's reference accepts 100. */
#define CW_NOTE_MAX_SIGNATURES 100

GQuark cw_note_error_quark (void);

/* Checks a signature by @key over the note text (including its final
 * newline). @sig is the signature without the 4-byte key ID. */
typedef gboolean (*CwNoteVerifyFunc) (CwVerifierKey *key,
                                      const guint8  *text,
                                      gsize          text_len,
                                      const guint8  *sig,
                                      gsize          sig_len,
                                      gpointer       user_data);

/* The set of keys a note is opened against. */
typedef struct _CwNoteVerifiers CwNoteVerifiers;

CwNoteVerifiers *cw_note_verifiers_new      (void);
CwNoteVerifiers *cw_note_verifiers_ref      (CwNoteVerifiers   *self);
void             cw_note_verifiers_unref    (CwNoteVerifiers   *self);
/* Adds an Ed25519 (type 0x01) key; other types need _add_full(). */
gboolean         cw_note_verifiers_add      (CwNoteVerifiers   *self,
                                             CwVerifierKey     *key,
                                             GError           **error);
gboolean         cw_note_verifiers_add_full (CwNoteVerifiers   *self,
                                             CwVerifierKey     *key,
                                             CwNoteVerifyFunc   func,
                                             gpointer           user_data,
                                             GDestroyNotify     destroy,
                                             GError           **error);
guint            cw_note_verifiers_get_size (CwNoteVerifiers   *self);

/* One signature line of an opened note. */
typedef struct _CwNoteSignature CwNoteSignature;

const char    *cw_note_signature_get_name      (CwNoteSignature *self);
guint32        cw_note_signature_get_key_id    (CwNoteSignature *self);
/* The signature bytes after the key ID. */
GBytes        *cw_note_signature_get_signature (CwNoteSignature *self);
/* The known key that verified it, or %NULL for an unknown signer. */
CwVerifierKey *cw_note_signature_get_key       (CwNoteSignature *self);

/* An opened note: its text, verified and unverified signatures. */
typedef struct _CwNote CwNote;

CwNote          *cw_note_open                     (const char        *msg,
                                                   gsize              len,
                                                   CwNoteVerifiers   *known,
                                                   GError           **error);
CwNote          *cw_note_ref                      (CwNote            *self);
void             cw_note_unref                    (CwNote            *self);
/* The text, including its final newline but not the blank line. */
const char      *cw_note_get_text                 (CwNote            *self);
guint            cw_note_get_n_signatures         (CwNote            *self);
CwNoteSignature *cw_note_get_signature            (CwNote            *self,
                                                   guint              index);
/* The verified signature by @key, or %NULL. */
CwNoteSignature *cw_note_find_signature           (CwNote            *self,
                                                   CwVerifierKey     *key);
/* Signatures from keys not in the known set, kept for the caller to see. */
guint            cw_note_get_n_unverified         (CwNote            *self);
CwNoteSignature *cw_note_get_unverified           (CwNote            *self,
                                                   guint              index);

/* Checks that @text is usable as note text: valid UTF-8, no control
 * characters but "\n", ends in "\n". */
gboolean         cw_note_text_is_valid            (const char        *text,
                                                   gsize              len,
                                                   GError           **error);
/* "— <name> <base64(key ID || sig)>\n" */
char            *cw_note_format_signature_line    (const char        *name,
                                                   guint32            key_id,
                                                   const guint8      *sig,
                                                   gsize              sig_len);
/* Signs @text with each Ed25519 key in @signers, in order, and returns the
 * whole signed note. Further signature lines (for example cosignatures) may
 * be appended to the result as they are. */
char            *cw_note_sign                     (const char        *text,
                                                   CwSigningKey     **signers,
                                                   guint              n_signers,
                                                   GError           **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CwNoteVerifiers, cw_note_verifiers_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CwNote, cw_note_unref)

G_END_DECLS

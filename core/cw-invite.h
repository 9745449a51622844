/* cw-invite.h: a clinic's signed invite (PROTOCOL.md §11): a C2SP signed
 * note, signed by the clinic's provider key, that carries everything a
 * wallet needs to enroll with a node: the node profile, the clinic, a
 * one-time code, its expiry and optionally a proposed first grant. It
 * travels as a consentwallet: URI (base64url of the note), as a .cwinvite
 * file (the note itself) and as a QR code of the URI.
 *
 * Parsing is strict and checks only the form; the signature is checked
 * against the clinic's key from the node's directory with
 * cw_invite_verify_signature(), which the wallet engine does after
 * fetching that key over the invite's pinned TLS.
 */
#pragma once

#include <glib-object.h>

#include "cw-key.h"
#include "cw-node-profile.h"
#include "cw-tx-vocabulary.h"

G_BEGIN_DECLS

#define CW_INVITE_ERROR (cw_invite_error_quark ())

typedef enum {
  CW_INVITE_ERROR_MALFORMED,      /* not an invite: bad URI, note or field */
  CW_INVITE_ERROR_TOO_LARGE,      /* longer than CW_INVITE_MAX_URI_LENGTH */
  CW_INVITE_ERROR_UNSUPPORTED,    /* another version, or a field this version does not know */
  CW_INVITE_ERROR_BAD_SIGNATURE,  /* not signed by the clinic's key */
  CW_INVITE_ERROR_EXPIRED,        /* past its expiry */
} CwInviteError;

/* The first line of every invite's text. */
#define CW_INVITE_HEADER "consentwallet.github.io/invite/v1"
#define CW_INVITE_URI_SCHEME "consentwallet"
/* A note of 4096 bytes is far more than any real invite needs (a dozen
 * witnesses fit); the URI is its base64url, about 4/3 of it. */
#define CW_INVITE_MAX_NOTE_LENGTH 4096
#define CW_INVITE_MAX_URI_LENGTH (sizeof CW_INVITE_URI_SCHEME + 5462)
#define CW_INVITE_MAX_WITNESSES 16
#define CW_INVITE_MAX_GRANT_DAYS 3650

GQuark          cw_invite_error_quark           (void);

/* A first grant the clinic proposes; the patient accepts, edits or
 * declines it. */
typedef struct {
  CwScopes  scopes;
  CwPurpose purpose;
  CwAccess  access;
  guint     days;      /* the grant lasts this many days from acceptance */
} CwInviteGrant;

#define CW_TYPE_INVITE (cw_invite_get_type ())

G_DECLARE_FINAL_TYPE (CwInvite, cw_invite, CW, INVITE, GObject)

/* A new invite to sign. @grant may be %NULL. Checks every field as the
 * parser would. */
CwInvite       *cw_invite_new                   (const CwNodeProfile  *profile,
                                                 const char           *clinic,
                                                 const char           *code,
                                                 gint64                expires,
                                                 const CwInviteGrant  *grant,
                                                 GError              **error);
/* The invite's note text (everything that is signed). */
char           *cw_invite_to_text               (CwInvite             *self);
/* Signs the text with @clinic_key under the clinic's provider ID as key
 * name and returns the signed note (the .cwinvite file's contents). */
char           *cw_invite_sign                  (CwInvite             *self,
                                                 CwSigningKey         *clinic_key,
                                                 GError              **error);
/* "consentwallet:" + base64url (no padding) of a signed note. */
char           *cw_invite_note_to_uri           (const char           *note);

/* Parses a consentwallet: URI or a signed note (leading and trailing
 * white space around a URI is ignored, as when read from a file or a
 * scanner). Checks the form only: the signature is not verified yet. */
CwInvite       *cw_invite_parse                 (const char           *data,
                                                 gsize                 len,
                                                 GError              **error);

/* Checks that the clinic's key, @clinic_public_key (from the node's
 * directory), signed the invite under the clinic's ID as key name. */
gboolean        cw_invite_verify_signature      (CwInvite             *self,
                                                 const guint8          clinic_public_key[CW_PUBLIC_KEY_SIZE],
                                                 GError              **error);
/* Fails with CW_INVITE_ERROR_EXPIRED when @now (Unix seconds) is not
 * before the expiry. */
gboolean        cw_invite_check_expiry          (CwInvite             *self,
                                                 gint64                now,
                                                 GError              **error);

/* Whether cw_invite_verify_signature() passed. */
gboolean        cw_invite_is_verified           (CwInvite             *self);
const CwNodeProfile *cw_invite_get_node_profile (CwInvite             *self);
const char     *cw_invite_get_clinic            (CwInvite             *self);
const char     *cw_invite_get_code              (CwInvite             *self);
gint64          cw_invite_get_expires           (CwInvite             *self);
/* The proposed first grant, or %NULL. */
const CwInviteGrant *cw_invite_get_proposed_grant (CwInvite           *self);
/* The signed note as received or made, or %NULL for an unsigned one. */
const char     *cw_invite_get_note              (CwInvite             *self);

G_END_DECLS

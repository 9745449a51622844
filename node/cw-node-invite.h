/* cw-node-invite.h: one-time enrollment codes a clinic hands to a patient;
 * the node keeps only their SHA-256. */
#pragma once

#include "cw-node-store.h"

G_BEGIN_DECLS

#define CW_NODE_INVITE_ERROR (cw_node_invite_error_quark ())

typedef enum {
  CW_NODE_INVITE_ERROR_INVALID_CODE,
  CW_NODE_INVITE_ERROR_INVALID_EXPIRY,
} CwNodeInviteError;

/* 20 characters of the RFC 4648 base32 alphabet (100 random bits), shown in
 * four groups of five: "ABCDE-FGHIJ-KLMNO-PQRST". */
#define CW_NODE_INVITE_CODE_LENGTH 20
#define CW_NODE_INVITE_DEFAULT_LIFETIME (7 * G_TIME_SPAN_DAY / G_USEC_PER_SEC)
#define CW_NODE_INVITE_MAX_LIFETIME (365 * G_TIME_SPAN_DAY / G_USEC_PER_SEC)

GQuark    cw_node_invite_error_quark    (void);

/* A new random code, grouped for reading aloud. */
char     *cw_node_invite_generate_code  (void);

/* The canonical form of a code as a person may type it: groups joined,
 * spaces and dashes dropped, upper case. */
char     *cw_node_invite_normalize_code (const char    *text,
                                         GError       **error);

/* SHA-256 of the canonical form: what the store keeps. */
gboolean  cw_node_invite_hash_code      (const char    *text,
                                         guint8         out_hash[CW_NODE_STORE_HASH_SIZE],
                                         GError       **error);

/* @text is a duration ("90m", "12h", "7d", "2w", "3600s") or an RFC 3339
 * time with a zone; the result is in seconds since the epoch, after @now
 * and at most CW_NODE_INVITE_MAX_LIFETIME from it. */
gboolean  cw_node_invite_parse_expiry   (const char    *text,
                                         gint64         now,
                                         gint64        *out_expires,
                                         GError       **error);

/* Makes a code for @provider_id, stores its hash and returns the code. */
char     *cw_node_invite_create         (CwNodeStore   *store,
                                         const char    *provider_id,
                                         gint64         now,
                                         gint64         expires,
                                         GError       **error);

G_END_DECLS

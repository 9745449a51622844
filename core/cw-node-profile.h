/* cw-node-profile.h: how the wallet reaches and checks its consortium node:
 * URL, TLS pin, log verifier key, witness verifier keys and quorum
 * (DESIGN.md "Trust model"; key strings per c2sp.org/signed-note).
 */
#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define CW_NODE_PROFILE_ERROR (cw_node_profile_error_quark ())

typedef enum {
  CW_NODE_PROFILE_ERROR_INVALID,
} CwNodeProfileError;

#define CW_TYPE_NODE_PROFILE (cw_node_profile_get_type ())

typedef struct {
  char    *url;           /* the node's base URL */
  char    *tls_pin;       /* pinned certificate or SPKI, or %NULL for system CAs */
  char    *log_key;       /* the log's verifier key string */
  char   **witness_keys;  /* %NULL-terminated witness verifier key strings */
  guint    quorum;        /* cosignatures required on every checkpoint */
} CwNodeProfile;

GQuark        cw_node_profile_error_quark (void);
GType         cw_node_profile_get_type    (void) G_GNUC_CONST;

/* Validates: a non-empty URL, keys that parse (cw_verifier_key_new_from_string),
 * distinct witness keys, and a quorum no larger than the number of witnesses. */
CwNodeProfile *cw_node_profile_new         (const char          *url,
                                          const char          *tls_pin,
                                          const char          *log_key,
                                          const char * const  *witness_keys,
                                          guint                quorum,
                                          GError             **error);
CwNodeProfile *cw_node_profile_copy        (const CwNodeProfile  *self);
void          cw_node_profile_free        (CwNodeProfile        *self);
gboolean      cw_node_profile_equal       (const CwNodeProfile  *a,
                                          const CwNodeProfile  *b);

/* {"url", "tls_pin" (absent when none), "log_key", "witness_keys", "quorum"} */
JsonNode     *cw_node_profile_to_json     (const CwNodeProfile  *self);
CwNodeProfile *cw_node_profile_from_json   (JsonNode            *node,
                                          GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CwNodeProfile, cw_node_profile_free)

G_END_DECLS

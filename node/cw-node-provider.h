/* cw-node-provider.h: one entry of the provider directory (a clinic, lab,
 * insurer...), with the rules for its fields. */
#pragma once

#include <json-glib/json-glib.h>

#include "cw-key.h"

G_BEGIN_DECLS

#define CW_NODE_PROVIDER_ERROR (cw_node_provider_error_quark ())

typedef enum {
  CW_NODE_PROVIDER_ERROR_INVALID_ID,
  CW_NODE_PROVIDER_ERROR_INVALID_NAME,
  CW_NODE_PROVIDER_ERROR_INVALID_ORGANIZATION,
  CW_NODE_PROVIDER_ERROR_INVALID_KIND,
  CW_NODE_PROVIDER_ERROR_INVALID_KEY,
} CwNodeProviderError;

typedef enum {
  CW_NODE_PROVIDER_KIND_PRACTICE,
  CW_NODE_PROVIDER_KIND_HOSPITAL,
  CW_NODE_PROVIDER_KIND_LAB,
  CW_NODE_PROVIDER_KIND_PHARMACY,
  CW_NODE_PROVIDER_KIND_INSURER,
  CW_NODE_PROVIDER_KIND_RESEARCH,
} CwNodeProviderKind;

#define CW_NODE_PROVIDER_MAX_ID_LENGTH 64
#define CW_NODE_PROVIDER_MAX_TEXT_LENGTH 200

#define CW_TYPE_NODE_PROVIDER_KIND (cw_node_provider_kind_get_type ())
#define CW_TYPE_NODE_PROVIDER (cw_node_provider_get_type ())

G_DECLARE_FINAL_TYPE (CwNodeProvider, cw_node_provider, CW, NODE_PROVIDER, GObject)

GQuark              cw_node_provider_error_quark        (void);
GType               cw_node_provider_kind_get_type      (void);

const char         *cw_node_provider_kind_to_string     (CwNodeProviderKind  kind);
gboolean            cw_node_provider_kind_from_string   (const char         *text,
                                                         CwNodeProviderKind *out_kind);

/* 1–64 characters of [a-z0-9-], not starting or ending with '-'. */
gboolean            cw_node_provider_id_is_valid        (const char         *id);

/* Checks every field; @public_key must be 32 bytes. */
CwNodeProvider     *cw_node_provider_new                (const char         *id,
                                                         const char         *name,
                                                         const char         *organization,
                                                         CwNodeProviderKind  kind,
                                                         GBytes             *public_key,
                                                         gint64              created,
                                                         GError            **error);

const char         *cw_node_provider_get_id             (CwNodeProvider     *self);
const char         *cw_node_provider_get_name           (CwNodeProvider     *self);
const char         *cw_node_provider_get_organization   (CwNodeProvider     *self);
CwNodeProviderKind  cw_node_provider_get_kind           (CwNodeProvider     *self);
GBytes             *cw_node_provider_get_public_key     (CwNodeProvider     *self);
/* Seconds since the epoch when it was added. */
gint64              cw_node_provider_get_created        (CwNodeProvider     *self);
/* The Ed25519 verifier key named after the provider ID. */
CwVerifierKey      *cw_node_provider_get_verifier_key   (CwNodeProvider     *self);
/* Case-folded "name\norganization", what searches match against. */
char               *cw_node_provider_dup_search_text    (CwNodeProvider     *self);

/* {"id", "name", "organization", "kind", "public_key", "verifier_key"} */
JsonNode           *cw_node_provider_to_json            (CwNodeProvider     *self);

G_END_DECLS

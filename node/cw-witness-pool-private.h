/* cw-witness-pool-private.h: what the witness pool checks in a witness's
 * answer (c2sp.org/tlog-witness): its TLS pin and its cosignature lines. */
#pragma once

#include <gio/gio.h>

#include "cw-witness-pool.h"

G_BEGIN_DECLS

/* Whether the SHA-256 of @certificate's SubjectPublicKeyInfo is @pin. */
gboolean              cw_witness_pool_certificate_matches_pin (GTlsCertificate  *certificate,
                                                               const char       *pin);

/* The cosignature by @key on the checkpoint @text among the signature
 * lines of an add-checkpoint answer. Lines by other keys are ignored, as
 * the spec asks; a bad one by @key fails. */
CwWitnessCosignature *cw_witness_pool_parse_cosignature       (CwVerifierKey    *key,
                                                               const char       *text,
                                                               GBytes           *response,
                                                               GError          **error);

G_END_DECLS

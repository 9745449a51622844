/* cw-tls-pin.h: TLS public key pinning for the node connection: the pin is
 * the standard base64 of SHA-256 over the certificate's DER
 * SubjectPublicKeyInfo (RFC 5280 §4.1.2.7), as `consent-node init` prints it
 * ("tls-pin:"), and a GTlsDatabase that trusts exactly the pinned key.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define CW_TLS_PIN_ERROR (cw_tls_pin_error_quark ())

typedef enum {
  CW_TLS_PIN_ERROR_INVALID,  /* not a DER certificate we can read, or a bad pin */
} CwTlsPinError;

GQuark     cw_tls_pin_error_quark       (void);

/* The pin of @certificate; %NULL if its DER cannot be read. */
char      *cw_tls_pin_for_certificate   (GTlsCertificate  *certificate,
                                         GError          **error);
/* Whether @certificate's public key is the one @pin names. */
gboolean   cw_tls_pin_matches           (GTlsCertificate  *certificate,
                                         const char       *pin);

#define CW_TYPE_TLS_PIN_DATABASE (cw_tls_pin_database_get_type ())

G_DECLARE_FINAL_TYPE (CwTlsPinDatabase, cw_tls_pin_database, CW, TLS_PIN_DATABASE, GTlsDatabase)

/* A database that accepts a server chain exactly when its leaf carries the
 * pinned key, whatever its issuer or names (a pinned self-signed node
 * certificate is the normal case), and reports G_TLS_CERTIFICATE_UNKNOWN_CA
 * otherwise. Fails if @pin is not base64 of 32 bytes. */
GTlsDatabase *cw_tls_pin_database_new   (const char       *pin,
                                         GError          **error);
const char   *cw_tls_pin_database_get_pin (CwTlsPinDatabase *self);

G_END_DECLS

/* cw-node-tls.h: the node's TLS identity: a self-signed certificate for
 * local use, loading it for the server, and its public key pin. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define CW_NODE_TLS_ERROR (cw_node_tls_error_quark ())

typedef enum {
  CW_NODE_TLS_ERROR_FAILED,   /* GnuTLS could not make the certificate */
  CW_NODE_TLS_ERROR_INVALID,  /* not a usable PEM certificate or key */
} CwNodeTlsError;

/* Self-signed certificates are valid this long. */
#define CW_NODE_TLS_VALIDITY_DAYS 365

GQuark           cw_node_tls_error_quark          (void);

/* Makes an ECDSA P-256 key and a self-signed certificate for
 * CN=127.0.0.1, SAN IP:127.0.0.1 and DNS:localhost, and writes both as PEM
 * files with mode 0600 (neither may exist yet). */
gboolean         cw_node_tls_generate_self_signed (const char  *cert_path,
                                                   const char  *key_path,
                                                   GError     **error);

/* Loads the certificate and its key, as the server will use them. */
GTlsCertificate *cw_node_tls_load                 (const char  *cert_path,
                                                   const char  *key_path,
                                                   GError     **error);

/* base64 (RFC 4648, padded) of SHA-256 over the DER SubjectPublicKeyInfo of
 * the first certificate in @cert_path: the value clients pin (as curl's
 * --pinnedpubkey "sha256//<pin>" does). */
char            *cw_node_tls_compute_pin          (const char  *cert_path,
                                                   GError     **error);

G_END_DECLS

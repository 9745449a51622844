/* cw-witness-server.h: a witness's HTTPS endpoint, POST
 * /witness/add-checkpoint of c2sp.org/tlog-witness, with a body cap, one
 * log line per request and a clean shutdown. */
#pragma once

#include <libsoup/soup.h>

#include "cw-key.h"
#include "cw-witness-config.h"
#include "cw-witness-store.h"

G_BEGIN_DECLS

#define CW_TYPE_WITNESS_SERVER (cw_witness_server_get_type ())

G_DECLARE_FINAL_TYPE (CwWitnessServer, cw_witness_server, CW, WITNESS_SERVER, GObject)

CwWitnessServer *cw_witness_server_new     (CwWitnessConfig  *config,
                                            CwWitnessStore   *store,
                                            CwSigningKey     *key,
                                            GTlsCertificate  *certificate);

/* Listens (HTTPS only) on the configured address. */
gboolean         cw_witness_server_start   (CwWitnessServer  *self,
                                            GError          **error);
/* "https://<address>:<port>" once started, with the real port. */
char            *cw_witness_server_dup_url (CwWitnessServer  *self);
void             cw_witness_server_stop    (CwWitnessServer  *self);
/* A clean stop, as cw_node_server_shutdown() does it, with its main loop
 * no longer running: no new connections, 503 for new requests on open
 * ones, the answers in progress written (for at most 10 s), then stop. */
void             cw_witness_server_shutdown (CwWitnessServer *self);

G_END_DECLS

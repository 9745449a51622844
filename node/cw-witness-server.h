/* cw-witness-server.h: a witness's HTTPS endpoint, POST
 * /witness/add-checkpoint of c2sp.org/tlog-witness, with a body cap and one
 * log line per request. */
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

G_END_DECLS

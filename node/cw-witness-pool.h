/* cw-witness-pool.h: the log's side of c2sp.org/tlog-witness: pushing each
 * new checkpoint to the configured witnesses in parallel and gathering
 * their verified tlog-cosignature/v1 lines. */
#pragma once

#include <gio/gio.h>

#include "cw-key.h"
#include "cw-node-config.h"

G_BEGIN_DECLS

#define CW_WITNESS_POOL_ERROR (cw_witness_pool_error_quark ())

typedef enum {
  CW_WITNESS_POOL_ERROR_INVALID,   /* unusable witness entry or checkpoint */
  CW_WITNESS_POOL_ERROR_DUPLICATE, /* two witnesses share a public key */
} CwWitnessPoolError;

/* How long cosign_async() waits for witnesses unless told otherwise. */
#define CW_WITNESS_POOL_DEFAULT_TIMEOUT_MS 10000

/* Returns the RFC 9162 consistency proof (GBytes hashes, as cw-merkle.h
 * takes them) between two sizes of the log, 0 < @old_size < @new_size.
 * Always called on the thread that called cw_witness_pool_cosign_async(). */
typedef GPtrArray *(*CwWitnessProofFunc) (guint64    old_size,
                                          guint64    new_size,
                                          gpointer   user_data,
                                          GError   **error);

/* One verified cosignature. */
typedef struct
{
  char *witness;   /* the witness key's name */
  char *line;      /* "— <name> <base64>", without newline, as
                   * cw_node_store_add_cosignature() takes it */
  guint64 time;    /* the cosignature's timestamp */
} CwWitnessCosignature;

void cw_witness_cosignature_free (CwWitnessCosignature *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CwWitnessCosignature, cw_witness_cosignature_free)

#define CW_TYPE_WITNESS_POOL (cw_witness_pool_get_type ())

G_DECLARE_FINAL_TYPE (CwWitnessPool, cw_witness_pool, CW, WITNESS_POOL, GObject)

GQuark         cw_witness_pool_error_quark      (void);

/* A pool for checkpoints signed by @log_key. Its HTTP runs in the
 * thread-default main context of its first cosign call; use it from that
 * context (and so that thread) only. */
CwWitnessPool *cw_witness_pool_new              (CwVerifierKey    *log_key);
/* With the witnesses of the node's [witnesses] config (see
 * cw_witness_pool_add_witness_entry()). */
CwWitnessPool *cw_witness_pool_new_from_config  (CwNodeConfig     *config,
                                                 CwVerifierKey    *log_key,
                                                 GError          **error);

/* @url is the witness's https submission prefix (the pool appends
 * "/witness/add-checkpoint"), @pin the base64 SHA-256 of its TLS
 * certificate's SubjectPublicKeyInfo, @key its cosignature/v1 key. */
gboolean       cw_witness_pool_add_witness      (CwWitnessPool    *self,
                                                 const char       *url,
                                                 const char       *pin,
                                                 CwVerifierKey    *key,
                                                 GError          **error);
/* Parses and adds one config entry "<verifier key> <URL> <pin>". */
gboolean       cw_witness_pool_add_witness_entry (CwWitnessPool   *self,
                                                  const char      *entry,
                                                  GError         **error);
/* Checks the parts of an entry and formats it as the config keeps it. */
char          *cw_witness_pool_format_entry     (const char       *url,
                                                 const char       *pin,
                                                 const char       *key,
                                                 GError          **error);

void           cw_witness_pool_set_timeout      (CwWitnessPool    *self,
                                                 guint             timeout_ms);
guint          cw_witness_pool_get_n_witnesses  (CwWitnessPool    *self);
CwVerifierKey *cw_witness_pool_get_witness_key  (CwWitnessPool    *self,
                                                 guint             index);
/* The size the witness last reported or cosigned, if known. */
gboolean       cw_witness_pool_get_witness_size (CwWitnessPool    *self,
                                                 guint             index,
                                                 guint64          *out_size);

/* Pushes @signed_note (a checkpoint of @size signed by the log key) to
 * every witness in parallel. A witness answering 409 with its size gets one
 * more request from that size, so one that is behind catches up. Completes
 * when every witness answered or after the timeout, with whatever verified
 * cosignatures arrived by then. @proof_func may be called several times;
 * @proof_data is released with @proof_data_destroy when done. */
void           cw_witness_pool_cosign_async     (CwWitnessPool       *self,
                                                 const char          *signed_note,
                                                 guint64              size,
                                                 CwWitnessProofFunc   proof_func,
                                                 gpointer             proof_data,
                                                 GDestroyNotify       proof_data_destroy,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
/* The note with every valid cosignature appended (possibly none), and in
 * @out_cosignatures the CwWitnessCosignature of each, in witness order.
 * Fails only for an unusable note or on cancellation. */
char          *cw_witness_pool_cosign_finish    (CwWitnessPool       *self,
                                                 GAsyncResult        *result,
                                                 GPtrArray          **out_cosignatures,
                                                 GError             **error);

/* The same, blocking, on a main context of the pool's own: for a caller on
 * a thread without a main loop, such as the sequencer's cosign step. A
 * pool is used either this way or through _async() from one main
 * context, never both. */
char          *cw_witness_pool_cosign_sync      (CwWitnessPool       *self,
                                                 const char          *signed_note,
                                                 guint64              size,
                                                 CwWitnessProofFunc   proof_func,
                                                 gpointer             proof_data,
                                                 GCancellable        *cancellable,
                                                 GPtrArray          **out_cosignatures,
                                                 GError             **error);

G_END_DECLS

/* cw-witness-store.h: a witness's own SQLite database: the logs it
 * witnesses and the checkpoint it last cosigned for each, as
 * c2sp.org/tlog-witness asks a witness to keep. */
#pragma once

#include <gio/gio.h>

#include "cw-key.h"

G_BEGIN_DECLS

#define CW_WITNESS_STORE_ERROR (cw_witness_store_error_quark ())

typedef enum {
  CW_WITNESS_STORE_ERROR_FAILED,     /* the database failed (I/O, locked, full) */
  CW_WITNESS_STORE_ERROR_NOT_FOUND,  /* no such log */
  CW_WITNESS_STORE_ERROR_EXISTS,     /* the log or database exists already */
  CW_WITNESS_STORE_ERROR_CONFLICT,   /* the stored state changed meanwhile */
  CW_WITNESS_STORE_ERROR_CORRUPT,    /* stored data breaks an invariant */
  CW_WITNESS_STORE_ERROR_VERSION,    /* written by a newer consent-node */
} CwWitnessStoreError;

#define CW_WITNESS_STORE_HASH_SIZE 32

/* One witnessed log and the checkpoint last cosigned for it (size 0 and the
 * empty tree's root until the first one). */
typedef struct
{
  char *origin;
  CwVerifierKey *key;
  guint64 size;
  guint8 root[CW_WITNESS_STORE_HASH_SIZE];
  gint64 updated;
} CwWitnessLog;

void cw_witness_log_free (CwWitnessLog *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CwWitnessLog, cw_witness_log_free)

#define CW_TYPE_WITNESS_STORE (cw_witness_store_get_type ())

G_DECLARE_FINAL_TYPE (CwWitnessStore, cw_witness_store, CW, WITNESS_STORE, GObject)

GQuark          cw_witness_store_error_quark  (void);

/* With @create, @path must not exist and is created with mode 0600;
 * without it, it must exist. */
CwWitnessStore *cw_witness_store_new          (const char      *path,
                                               gboolean         create,
                                               GError         **error);

/* Adds a log, named by its origin, with its Ed25519 verifier key. */
gboolean        cw_witness_store_add_log      (CwWitnessStore  *self,
                                               const char      *origin,
                                               CwVerifierKey   *key,
                                               gint64           now,
                                               GError         **error);
CwWitnessLog   *cw_witness_store_lookup_log   (CwWitnessStore  *self,
                                               const char      *origin,
                                               GError         **error);
/* Every log, ordered by origin. */
GPtrArray      *cw_witness_store_list_logs    (CwWitnessStore  *self,
                                               GError         **error);

/* Moves a log from (@old_size, @old_root) to (@new_size, @new_root) in one
 * durable transaction; fails with CONFLICT if the stored state is no longer
 * the old one, so two requests can never roll each other back. */
gboolean        cw_witness_store_update_log   (CwWitnessStore  *self,
                                               const char      *origin,
                                               guint64          old_size,
                                               const guint8     old_root[CW_WITNESS_STORE_HASH_SIZE],
                                               guint64          new_size,
                                               const guint8     new_root[CW_WITNESS_STORE_HASH_SIZE],
                                               gint64           now,
                                               GError         **error);

/* Keeps a request that the log signed but that contradicts what was
 * cosigned: evidence of log misbehaviour. */
gboolean        cw_witness_store_add_evidence (CwWitnessStore  *self,
                                               const char      *origin,
                                               const char      *reason,
                                               const guint8    *body,
                                               gsize            len,
                                               gint64           now,
                                               GError         **error);
gboolean        cw_witness_store_count_evidence (CwWitnessStore *self,
                                                 guint64        *out_count,
                                                 GError        **error);

G_END_DECLS

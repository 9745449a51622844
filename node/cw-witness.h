/* cw-witness.h: the witness side of c2sp.org/tlog-witness add-checkpoint,
 * apart from HTTP: the request body, the checks, and the cosignature. */
#pragma once

#include <glib.h>

#include "cw-key.h"
#include "cw-witness-store.h"

G_BEGIN_DECLS

#define CW_WITNESS_ERROR (cw_witness_error_quark ())

/* Each code is one answer of the spec; cw_witness_error_get_status() maps
 * them to HTTP statuses. */
typedef enum {
  CW_WITNESS_ERROR_MALFORMED,       /* 400: not a valid request body */
  CW_WITNESS_ERROR_FORBIDDEN,       /* 403: no trusted log signature */
  CW_WITNESS_ERROR_UNKNOWN_LOG,     /* 404: origin not witnessed here */
  CW_WITNESS_ERROR_OLD_SIZE,        /* 409: old size is not the one cosigned */
  CW_WITNESS_ERROR_ROOT_MISMATCH,   /* 409: same size, different root */
  CW_WITNESS_ERROR_INCONSISTENT,    /* 422: consistency proof does not verify */
  CW_WITNESS_ERROR_FAILED,          /* 500: storage or signing failed */
} CwWitnessError;

/* The submission path, fixed by DESIGN.md. */
#define CW_WITNESS_ADD_CHECKPOINT_PATH "/witness/add-checkpoint"
/* The spec's cap on consistency proof lines. */
#define CW_WITNESS_MAX_PROOF_LINES 63
/* Content type of a 409 answer carrying the witness's size. */
#define CW_WITNESS_SIZE_CONTENT_TYPE "text/x.tlog.size"

GQuark   cw_witness_error_quark      (void);
guint    cw_witness_error_get_status (const GError  *error);

/* A parsed add-checkpoint request body. */
typedef struct
{
  guint64 old_size;
  GPtrArray *proof;   /* GBytes, one 32-byte hash each */
  char *note;         /* the signed checkpoint, NUL-terminated */
  gsize note_len;
} CwWitnessRequest;

/* Parses "old <size>\n", up to 63 base64 hash lines, "\n", then the signed
 * checkpoint. Fails with CW_WITNESS_ERROR_MALFORMED. */
CwWitnessRequest *cw_witness_request_parse  (const guint8      *body,
                                             gsize              len,
                                             GError           **error);
void              cw_witness_request_free   (CwWitnessRequest  *self);
/* The request body for @proof (GBytes hashes, may be %NULL) and a signed
 * checkpoint note. */
GBytes           *cw_witness_request_format (guint64            old_size,
                                             GPtrArray         *proof,
                                             const char        *signed_note);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CwWitnessRequest, cw_witness_request_free)

/* Handles one add-checkpoint body: checks the log signature, that the old
 * size is the one last cosigned, the consistency proof from the stored
 * checkpoint, persists the new size and root, and returns the cosignature
 * line by @key (type 0x04) at @now. On CW_WITNESS_ERROR_OLD_SIZE,
 * @out_size gets the size last cosigned. Requests that were signed by the
 * log but contradict what was cosigned are kept as evidence. */
char    *cw_witness_add_checkpoint   (CwWitnessStore    *store,
                                      CwSigningKey      *key,
                                      const guint8      *body,
                                      gsize              len,
                                      gint64             now,
                                      guint64           *out_size,
                                      GError           **error);

G_END_DECLS

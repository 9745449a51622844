/* cw-tx-private.h: the layout of a CwTx and its field table, shared by the
 * model and builders (cw-tx.c), the parser and validator (cw-tx-parse.c) and
 * the vocabulary (cw-tx-vocabulary.c).
 */
#pragma once

#include "cw-tx.h"

G_BEGIN_DECLS

struct _CwTx {
  gatomicrefcount  ref_count;
  CwTxType         type;
  guint32          present;   /* bit per CwTxField */
  GBytes          *payload;

  guint8           patient[CW_PUBLIC_KEY_SIZE];
  guint64          seq;
  guint8           prev[CW_TX_ID_SIZE];
  GDateTime       *time;
  guint8           nonce[CW_TX_NONCE_SIZE];
  char            *provider;
  guint8           recovery_key[CW_PUBLIC_KEY_SIZE];
  char            *invite;
  char            *clinic;
  guint            scopes;
  CwPurpose        purpose;
  guint            access;
  char            *data_from;
  char            *data_to;
  GDateTime       *expires;
  guint8           request[CW_TX_ID_SIZE];
  guint8           grant[CW_TX_ID_SIZE];
  guint8           new_key[CW_PUBLIC_KEY_SIZE];
  guint8           new_recovery_key[CW_PUBLIC_KEY_SIZE];
  char            *reason;
};

typedef enum {
  F_V,
  F_TYPE,
  F_PATIENT,
  F_SEQ,
  F_PREV,
  F_TIME,
  F_NONCE,
  F_PROVIDER,
  F_RECOVERY_KEY,
  F_INVITE,
  F_CLINIC,
  F_SCOPES,
  F_PURPOSE,
  F_ACCESS,
  F_DATA_FROM,
  F_DATA_TO,
  F_EXPIRES,
  F_REQUEST,
  F_GRANT,
  F_NEW_KEY,
  F_NEW_RECOVERY_KEY,
  F_REASON,
  N_FIELDS,
} CwTxField;

#define BIT(f) (1u << (f))

typedef enum {
  KIND_VERSION,
  KIND_TYPE,
  KIND_SEQ,
  KIND_BYTES,
  KIND_TIME,
  KIND_TEXT,
  KIND_SCOPES,
  KIND_PURPOSE,
  KIND_ACCESS,
} CwTxFieldKind;

typedef gboolean (*CwTxTextCheck) (const char *text);

typedef struct {
  const char    *name;
  CwTxFieldKind  kind;
  gsize          offset;
  gsize          size;    /* KIND_BYTES: exact decoded length */
  CwTxTextCheck  check;   /* KIND_TEXT: content rule */
  const char    *rule;    /* KIND_TEXT: the rule in words, for errors */
} CwTxFieldInfo;

/* Every field: its JSON name, its kind and where it lives in CwTx. */
extern const CwTxFieldInfo cw_tx_field_table[N_FIELDS];

#define FIELD_PTR(self, f, type) ((type *) G_STRUCT_MEMBER_P ((self), cw_tx_field_table[f].offset))

/* @access is a single flag; names as on the wire, like cw_scope_to_string(). */
const char *cw_access_to_string   (CwAccess    access);
gboolean    cw_access_from_string (const char *name,
                                   CwAccess   *access);

CwTx       *cw_tx_alloc           (CwTxType    type);
/* The checks cw_tx_parse_payload() and the builders both apply. */
gboolean    cw_tx_validate        (CwTx       *self,
                                   GError    **error);
/* The canonical JSON of the fields present in @self. */
GBytes     *cw_tx_encode          (CwTx       *self,
                                   GError    **error);

G_END_DECLS

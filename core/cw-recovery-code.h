/* cw-recovery-code.h: the recovery code a patient writes down at
 * enrollment (PROTOCOL.md §12): the recovery key's 32-byte seed and a
 * 3-byte checksum in RFC 4648 base32, fourteen groups of four letters, so
 * that a mistyped code is caught before it is used. */
#pragma once

#include <glib.h>

#include "cw-key.h"

G_BEGIN_DECLS

#define CW_RECOVERY_CODE_ERROR (cw_recovery_code_error_quark ())

typedef enum {
  CW_RECOVERY_CODE_ERROR_LENGTH,     /* not 56 letters and digits */
  CW_RECOVERY_CODE_ERROR_CHARACTER,  /* a character base32 does not have */
  CW_RECOVERY_CODE_ERROR_CHECKSUM,   /* well-formed but mistyped */
} CwRecoveryCodeError;

/* 56 symbols in 14 groups of 4, 13 dashes between them. */
#define CW_RECOVERY_CODE_SYMBOLS 56
#define CW_RECOVERY_CODE_LENGTH (CW_RECOVERY_CODE_SYMBOLS + 13)

GQuark    cw_recovery_code_error_quark (void);

/* The code for @seed, in sodium memory: free with cw_secure_string_free(). */
char     *cw_recovery_code_format      (const guint8   seed[CW_SEED_SIZE]);
/* Reads a code as a person may type it: any case, with or without dashes
 * and spaces; 0, 1 and 8 are read as O, I and B. @seed_out is wiped on
 * failure. */
gboolean  cw_recovery_code_parse       (const char    *text,
                                        guint8         seed_out[CW_SEED_SIZE],
                                        GError       **error);

G_END_DECLS

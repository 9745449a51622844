/* fuzz-common.h: shared helpers of the libFuzzer harnesses in tests/fuzz/.
 *
 * Every harness defines LLVMFuzzerTestOneInput() and usually
 * LLVMFuzzerInitialize(). A failed invariant aborts with a message, which
 * libFuzzer reports as a crash and saves the input for.
 */
#pragma once

#include <glib.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cw-key.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

#define FUZZ_ASSERT(cond) \
  G_STMT_START { \
    if (G_UNLIKELY (!(cond))) \
      { \
        fprintf (stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond); \
        abort (); \
      } \
  } G_STMT_END

/* Fixed keys, so that the corpus generator and the harnesses agree. The
 * names and seeds mean nothing outside the fuzzing setup. */
#define FUZZ_LOG_ORIGIN "fuzz.example/log"
#define FUZZ_WITNESS_1 "witness1.fuzz.example"
#define FUZZ_WITNESS_2 "witness2.fuzz.example"
/* A note key whose signatures the note harness accepts unchecked, so that
 * the fuzzer gets past the cryptography to what follows it. */
#define FUZZ_ANY_KEY "fuzz-any"

/* Messages at every level would flood the fuzzer's output; warnings and
 * criticals are bugs when they come from input, so they abort. */
static GLogWriterOutput
fuzz_log_writer (GLogLevelFlags   log_level,
                 const GLogField *fields,
                 gsize            n_fields,
                 gpointer         user_data)
{
  if (log_level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))
    {
      g_log_writer_standard_streams (log_level, fields, n_fields, user_data);
      abort ();
    }

  return G_LOG_WRITER_HANDLED;
}

static inline void
fuzz_init (void)
{
  g_log_set_writer_func (fuzz_log_writer, NULL, NULL);
  if (sodium_init () < 0)
    abort ();
}

static inline CwSigningKey *
fuzz_signing_key (const char *name,
                  CwKeyType   type,
                  guint8      seed_byte)
{
  guint8 seed[CW_SEED_SIZE];
  CwSigningKey *key;

  memset (seed, seed_byte, sizeof seed);
  key = cw_signing_key_new_from_seed (name, type, seed, NULL);
  if (key == NULL)
    abort ();

  return key;
}

static inline CwSigningKey *
fuzz_log_key (void)
{
  return fuzz_signing_key (FUZZ_LOG_ORIGIN, CW_KEY_TYPE_ED25519, 0x11);
}

static inline CwSigningKey *
fuzz_witness_key (guint n)
{
  return fuzz_signing_key (n == 1 ? FUZZ_WITNESS_1 : FUZZ_WITNESS_2,
                           CW_KEY_TYPE_COSIGNATURE_V1, (guint8) (0x20 + n));
}

static inline CwSigningKey *
fuzz_any_key (void)
{
  return fuzz_signing_key (FUZZ_ANY_KEY, CW_KEY_TYPE_ED25519, 0x33);
}

/* The DSSE and HTTP signature key. */
static inline CwSigningKey *
fuzz_patient_key (void)
{
  return fuzz_signing_key ("patient", CW_KEY_TYPE_ED25519, 0x44);
}

/* A NUL-terminated copy of the input, for APIs that take C strings. */
static inline char *
fuzz_strndup (const guint8 *data,
              size_t        size)
{
  char *text = g_malloc (size + 1);

  memcpy (text, data, size);
  text[size] = '\0';

  return text;
}

static inline gboolean
fuzz_bytes_equal (const void *a,
                  gsize       a_len,
                  const void *b,
                  gsize       b_len)
{
  return a_len == b_len && (a_len == 0 || memcmp (a, b, a_len) == 0);
}

static inline gboolean
fuzz_contains (const guint8 *haystack,
               gsize         len,
               const char   *needle)
{
  gsize needle_len = strlen (needle);

  for (gsize i = 0; i + needle_len <= len; i++)
    if (memcmp (haystack + i, needle, needle_len) == 0)
      return TRUE;

  return FALSE;
}

/* node-bench-verify.h: the benchmark's baseline, raw libsodium Ed25519
 * verifications per second on one core and on all cores. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Verifies @signature over @message with @public_key for about
 * @duration_us on each of @n_threads threads at once and returns the
 * verifications per second of all threads together. */
double node_bench_verify_rate (const guint8 *message,
                               gsize         message_len,
                               const guint8 *signature,
                               const guint8 *public_key,
                               guint         n_threads,
                               gint64        duration_us);

G_END_DECLS

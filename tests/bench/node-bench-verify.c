/* node-bench-verify.c: the benchmark's baseline, raw libsodium Ed25519
 * verifications per second on one core and on all cores. */
#include "config.h"

#include <sodium.h>

#include "node-bench-verify.h"

typedef struct
{
  const guint8 *message;
  gsize message_len;
  const guint8 *signature;
  const guint8 *public_key;
  gint64 duration_us;
  guint64 count;
  gint64 elapsed_us;
  gboolean failed;
} VerifyJob;

static gpointer
verify_thread (gpointer data)
{
  VerifyJob *job = data;
  gint64 started = g_get_monotonic_time ();
  gint64 now = started;

  /* The clock is read every 64 verifications: a few µs apart. */
  while (now - started < job->duration_us)
    {
      for (guint i = 0; i < 64; i++)
        {
          if (crypto_sign_verify_detached (job->signature, job->message, job->message_len,
                                           job->public_key) != 0)
            job->failed = TRUE;
        }
      job->count += 64;
      now = g_get_monotonic_time ();
    }

  job->elapsed_us = now - started;

  return NULL;
}

double
node_bench_verify_rate (const guint8 *message,
                        gsize         message_len,
                        const guint8 *signature,
                        const guint8 *public_key,
                        guint         n_threads,
                        gint64        duration_us)
{
  g_autofree VerifyJob *jobs = g_new0 (VerifyJob, n_threads);
  g_autofree GThread **threads = g_new0 (GThread *, n_threads);
  double rate = 0;

  g_return_val_if_fail (n_threads > 0, 0);

  for (guint i = 0; i < n_threads; i++)
    {
      jobs[i].message = message;
      jobs[i].message_len = message_len;
      jobs[i].signature = signature;
      jobs[i].public_key = public_key;
      jobs[i].duration_us = duration_us;
      threads[i] = g_thread_new ("bench-verify", verify_thread, &jobs[i]);
    }

  for (guint i = 0; i < n_threads; i++)
    {
      g_thread_join (threads[i]);
      if (jobs[i].failed)
        g_error ("The baseline signature does not verify");
      rate += jobs[i].count * (double) G_USEC_PER_SEC / MAX (jobs[i].elapsed_us, 1);
    }

  return rate;
}

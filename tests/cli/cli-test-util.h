/* cli-test-util.h: helpers for the consent-wallet-cli tests: a "device"
 * (its own HOME, a private session bus and an unlocked gnome-keyring on
 * it), running the real CLI binary there, and a consent-node to enroll
 * with. */
#pragma once

#include <json-glib/json-glib.h>

#include "node-test-tx.h"

G_BEGIN_DECLS

typedef struct
{
  char *home;
  char *address;      /* the private bus */
  GSubprocess *bus;
  guint32 keyring_pid;
} CliDevice;

/* A new HOME under a temporary folder, a bus and a keyring daemon. */
void        cli_device_start      (CliDevice    *device);
/* Stops the daemon and the bus and deletes HOME. */
void        cli_device_stop       (CliDevice    *device);
/* The keyring items of the wallet's schema for @patient_id on @device. */
guint       cli_device_count_keys (CliDevice    *device,
                                   const char   *patient_id);

typedef struct
{
  char *out;
  char *err;
  int status;   /* exit status, -1 unless it exited normally */
} CliRun;

void        cli_run_free          (CliRun       *run);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CliRun, cli_run_free)

/* consent-wallet-cli on @device with --data-dir @data_dir (unless NULL)
 * and the NULL-terminated arguments; waits for it. */
CliRun     *cli_run               (CliDevice    *device,
                                   const char   *data_dir,
                                   const char   *first_arg,
                                   ...) G_GNUC_NULL_TERMINATED;
CliRun     *cli_runv              (CliDevice    *device,
                                   const char   *data_dir,
                                   const char * const *args);
/* Started, not waited for (stdout and stderr discarded). */
GSubprocess *cli_spawnv           (CliDevice    *device,
                                   const char   *data_dir,
                                   const char * const *args);
/* Asserts @run exited with @status and parses its standard output. */
JsonNode   *cli_run_json          (CliRun       *run,
                                   int           status);

/* A node (tests/node helpers) running, and what a wallet needs to enroll. */
typedef struct
{
  TxNode node;
  char *pin;
  char *log_key;
} CliNode;

void        cli_node_setup        (CliNode      *node);
void        cli_node_teardown     (CliNode      *node);
/* Pins the node to the port it has now, so that it comes back there. */
void        cli_node_keep_port    (CliNode      *node);
/* `enroll` on @device into @data_dir with a fresh invite of gp-one; asserts
 * success and returns the patient ID. */
char       *cli_enroll            (CliNode      *node,
                                   CliDevice    *device,
                                   const char   *data_dir);

G_END_DECLS

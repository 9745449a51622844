/* cw-node-fault.h: crash points for the fault-injection tests
 * (tests/fault/). Compiled in always and inert unless the environment
 * variable CW_NODE_FAULT names a point: then the node exits at once, as a
 * power cut or kill -9 would stop it there, with CW_NODE_FAULT_EXIT_STATUS. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CW_NODE_FAULT_EXIT_STATUS 86

/* The sequencer's points, in the order a batch passes them. */
#define CW_NODE_FAULT_AFTER_VERIFY    "after-verify"     /* decided, nothing stored */
#define CW_NODE_FAULT_AFTER_PERSIST   "after-persist"    /* stored, not signed */
#define CW_NODE_FAULT_AFTER_SIGN      "after-sign"       /* signed, not published */
#define CW_NODE_FAULT_WHILE_ANSWERING "while-answering"  /* first submitter answered */

void cw_node_fault_point (const char *point);

G_END_DECLS

/* cw-tlog-proof.c: placeholder, being written. */
#include "config.h"

#include "cw-tlog-proof.h"

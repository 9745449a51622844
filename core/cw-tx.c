/* cw-tx.c: placeholder, being written. */
#include "config.h"

#include "cw-tx.h"

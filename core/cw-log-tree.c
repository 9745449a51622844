/* cw-log-tree.c: placeholder, being written. */
#include "config.h"

#include "cw-log-tree.h"

/* cw-checkpoint.c: placeholder, being written. */
#include "config.h"

#include "cw-checkpoint.h"

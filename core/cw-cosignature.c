/* cw-cosignature.c: placeholder, being written. */
#include "config.h"

#include "cw-cosignature.h"

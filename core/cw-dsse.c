/* cw-dsse.c: placeholder, being written. */
#include "config.h"

#include "cw-dsse.h"

/* cw-canonical-json.c: placeholder, being written. */
#include "config.h"

#include "cw-canonical-json.h"

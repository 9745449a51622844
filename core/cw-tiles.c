/* cw-tiles.c: placeholder, being written. */
#include "config.h"

#include "cw-tiles.h"

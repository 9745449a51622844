/* cw-merkle.c: placeholder, being written. */
#include "config.h"

#include "cw-merkle.h"

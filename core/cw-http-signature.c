/* cw-http-signature.c: placeholder, being written. */
#include "config.h"

#include "cw-http-signature.h"

/* cw-note.c: placeholder, being written. */
#include "config.h"

#include "cw-note.h"

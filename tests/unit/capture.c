/* capture.c — see capture.h. */
#include "capture.h"

#include <stdio.h>
#include <stdlib.h>

static FILE *saved;
static char *text;
static size_t len;

void capture_begin(void)
{
    saved = stderr;
    text = NULL;
    len = 0;
    FILE *mem = open_memstream(&text, &len);
    if (mem == NULL) abort();
    stderr = mem;
}

char *capture_end(void)
{
    fclose(stderr);
    stderr = saved;
    return text;
}

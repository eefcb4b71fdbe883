/* The public header on its own, as strict C99 (-std=c99 -pedantic): what any C user compiles. */
#include "krender.h"

int main(void)
{
    krender_options o = KRENDER_OPTIONS_INIT;
    return o.version == KRENDER_OPTIONS_VERSION ? 0 : 1;
}

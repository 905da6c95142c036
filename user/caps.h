/* Capability checks, so that a command names the capability it lacks instead of failing later. */
#ifndef XDPSCOPE_CAPS_H
#define XDPSCOPE_CAPS_H

#include <stdbool.h>

bool caps_have(int cap);
const char *caps_name(int cap);
/* Prints "xdpscope: CMD: missing capability CAP_X (needed to WHY)" for the first of caps[]
 * (terminated by -1) that the process lacks and returns -1; 0 when all are present. */
int caps_require(const char *cmd, const int *caps, const char *why);
/* The same, with "; HINT" after the parenthesis (what to do instead) when hint is not NULL. */
int caps_require_hint(const char *cmd, const int *caps, const char *why, const char *hint);

#endif

#ifndef ALTV_CSHIMS_H
#define ALTV_CSHIMS_H
// The project's C: the calls Swift cannot make or cannot reach by itself.
#include "CSystemd.h"    // sd_notify, the watchdog and the journal (libsystemd, through pkg-config)
#include "CLinux.h"      // glibc and Linux calls the Glibc module does not export
#include "CSearch.h"     // several literals searched in one pass (SSE2)
#include "CUnitFiles.h"  // the unit files of systemd/, embedded at build time
#endif

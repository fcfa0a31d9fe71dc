// libsystemd's public headers, as found through pkg-config (libsystemd-dev).
// Only the CSystemd C shim includes this module; Swift code never calls libsystemd directly.
#include <systemd/sd-daemon.h>
#include <systemd/sd-journal.h>

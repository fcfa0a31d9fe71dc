#ifndef ALTV_CSYSTEMD_H
#define ALTV_CSYSTEMD_H
// A small C shim over libsystemd: the only code in altv-reconnectd that touches it.
//
// Why a shim: Swift cannot call C variadics (sd_notifyf, sd_journal_send), and keeping
// libsystemd behind a handful of plain functions keeps the protocol details (message
// formats, unset_environment=0 in a threaded process) in one reviewed place.
//
// Every function returns what libsystemd returns: 0 when NOTIFY_SOCKET is unset (a no-op),
// > 0 when the datagram was sent, a negative errno on failure. `status` may be NULL; it must
// be a single line (the Swift side guarantees it).
#include <stdint.h>

int altv_sd_notify_ready(const char *status);
int altv_sd_notify_status(const char *status);
int altv_sd_notify_stopping(const char *status);
int altv_sd_notify_reloading(uint64_t monotonic_usec, const char *status);
int altv_sd_notify_errno(int errnum, const char *status);
int altv_sd_notify_watchdog(void);

/// > 0 with *usec set when the service manager expects WATCHDOG=1 pings from this process.
int altv_sd_watchdog_enabled(uint64_t *usec);

#endif

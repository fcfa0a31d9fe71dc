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
#include <stddef.h>
#include <stdint.h>

int altv_sd_notify_ready(const char *status);
int altv_sd_notify_status(const char *status);
int altv_sd_notify_stopping(const char *status);
int altv_sd_notify_reloading(uint64_t monotonic_usec, const char *status);
int altv_sd_notify_errno(int errnum, const char *status);
int altv_sd_notify_watchdog(void);

/// Sends one structured journal entry (sd_journal_sendv(3)): `fields` are `count` strings
/// "NAME=value" (MESSAGE=, PRIORITY=, …); 0 on success, < 0 errno (no journald socket, …).
int altv_journal_send(const char *const *fields, size_t count);

/// > 0 with *usec set when the service manager expects WATCHDOG=1 pings from this process.
int altv_sd_watchdog_enabled(uint64_t *usec);

// ---- Following a unit's journal (sd-journal(3)) ----
// An sd_journal may be used from one thread only, for its whole life: callers keep every call
// below on the thread that opened it.
struct sd_journal;

/// Opens the local journal matching `unit` (as a system unit, _SYSTEMD_UNIT=, or a user unit,
/// _SYSTEMD_USER_UNIT=) and places the read position `history` entries before the end, so the
/// next calls to altv_journal_next_message return those recent entries, then new ones.
int altv_journal_open(const char *unit, unsigned history, struct sd_journal **out);

/// The next entry's MESSAGE (without "MESSAGE="): 1 with data/length set, 0 at the end, < 0 errno.
/// The data stays valid until the next call on the journal.
int altv_journal_next_message(struct sd_journal *journal, const void **data, size_t *length);

/// Sleeps until the journal changes (1), `stop_fd` becomes readable (0), or an error (< 0).
int altv_journal_wait(struct sd_journal *journal, int stop_fd);

void altv_journal_close(struct sd_journal *journal);

#endif

#include "CSystemd.h"
#include <stddef.h>
#include <systemd/sd-daemon.h>

// unset_environment is always 0: unsetenv races with getenv in a multi-threaded process
// (sd_notify(3), "getenv" note), and the daemon notifies many times over its life.

int altv_sd_notify_ready(const char *status) {
    if (status == NULL) return sd_notify(0, "READY=1");
    return sd_notifyf(0, "READY=1\nSTATUS=%s", status);
}

int altv_sd_notify_status(const char *status) {
    return sd_notifyf(0, "STATUS=%s", status ? status : "");
}

int altv_sd_notify_stopping(const char *status) {
    if (status == NULL) return sd_notify(0, "STOPPING=1");
    return sd_notifyf(0, "STOPPING=1\nSTATUS=%s", status);
}

int altv_sd_notify_reloading(uint64_t monotonic_usec, const char *status) {
    // MONOTONIC_USEC= is what Type=notify-reload (systemd >= 253) requires; older managers ignore it.
    if (status == NULL) return sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu", (unsigned long long)monotonic_usec);
    return sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu\nSTATUS=%s", (unsigned long long)monotonic_usec, status);
}

int altv_sd_notify_errno(int errnum, const char *status) {
    return sd_notifyf(0, "ERRNO=%d\nSTATUS=%s", errnum, status ? status : "");
}

int altv_sd_notify_watchdog(void) {
    return sd_notify(0, "WATCHDOG=1");
}

int altv_sd_watchdog_enabled(uint64_t *usec) {
    return sd_watchdog_enabled(0, usec);
}

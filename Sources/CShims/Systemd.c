#include "CSystemd.h"
#include <stddef.h>
#include <time.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-journal.h>

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

int altv_journal_send(const char *const *fields, size_t count) {
    if (count == 0 || count > 64) return -EINVAL;
    struct iovec iov[64];
    for (size_t i = 0; i < count; i++) {
        iov[i].iov_base = (void *)fields[i];
        iov[i].iov_len = strlen(fields[i]);
    }
    return sd_journal_sendv(iov, (int)count);
}

int altv_sd_watchdog_enabled(uint64_t *usec) {
    return sd_watchdog_enabled(0, usec);
}

int altv_journal_open(const char *unit, unsigned history, struct sd_journal **out) {
    sd_journal *j = NULL;
    int r = sd_journal_open(&j, SD_JOURNAL_LOCAL_ONLY);
    if (r < 0) return r;
    char system_match[512], user_match[512];
    if (snprintf(system_match, sizeof system_match, "_SYSTEMD_UNIT=%s", unit) >= (int)sizeof system_match ||
        snprintf(user_match, sizeof user_match, "_SYSTEMD_USER_UNIT=%s", unit) >= (int)sizeof user_match) {
        sd_journal_close(j);
        return -ENAMETOOLONG;
    }
    // Either field: a system unit, or a user unit (journalctl -u / --user-unit).
    if ((r = sd_journal_add_match(j, system_match, 0)) < 0 || (r = sd_journal_add_disjunction(j)) < 0 ||
        (r = sd_journal_add_match(j, user_match, 0)) < 0) {
        sd_journal_close(j);
        return r;
    }
    // seek_tail then step back: `next` right after seek_tail is unreliable (systemd#9934).
    if ((r = sd_journal_seek_tail(j)) < 0) { sd_journal_close(j); return r; }
    unsigned back = 0;
    while (back < history && sd_journal_previous(j) > 0) back++;
    if (back > 0) {
        // Positioned on the oldest entry to replay: step back once more so `next` returns it.
        if (sd_journal_previous(j) <= 0) sd_journal_seek_head(j);
    } else if (history > 0) {
        // No entry of the unit exists yet: every one to come is new. Left at the tail, `next`
        // skipped the first entries of a unit that started later and returned only the newest
        // (a server's start lines lost, its ready line seen: found by the sandbox test).
        sd_journal_seek_head(j);
    } else {
        // No history wanted: from now on, by the monotonic clock of this boot.
        sd_id128_t boot;
        struct timespec now;
        if (sd_id128_get_boot(&boot) >= 0 && clock_gettime(CLOCK_MONOTONIC, &now) == 0) {
            sd_journal_seek_monotonic_usec(j, boot, (uint64_t)now.tv_sec * 1000000u + (uint64_t)now.tv_nsec / 1000u);
        }
    }
    *out = j;
    return 0;
}

int altv_journal_next_message(struct sd_journal *journal, const void **data, size_t *length) {
    for (;;) {
        int r = sd_journal_next(journal);
        if (r <= 0) return r;
        const void *field = NULL;
        size_t size = 0;
        r = sd_journal_get_data(journal, "MESSAGE", &field, &size);
        if (r == -ENOENT) continue;  /* an entry without a message: skip it */
        if (r < 0) return r;
        *data = (const char *)field + 8;  /* strlen("MESSAGE=") */
        *length = size - 8;
        return 1;
    }
}

int altv_journal_wait(struct sd_journal *journal, int stop_fd) {
    int fd = sd_journal_get_fd(journal);
    if (fd < 0) return fd;
    int events = sd_journal_get_events(journal);
    if (events < 0) return events;
    uint64_t timeout_usec = 0;
    int timeout_ms = -1;
    if (sd_journal_get_timeout(journal, &timeout_usec) >= 0 && timeout_usec != (uint64_t)-1) {
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        uint64_t now_usec = (uint64_t)now.tv_sec * 1000000 + (uint64_t)now.tv_nsec / 1000;
        timeout_ms = timeout_usec > now_usec ? (int)((timeout_usec - now_usec + 999) / 1000) : 0;
    }
    struct pollfd fds[2] = { { .fd = fd, .events = (short)events }, { .fd = stop_fd, .events = POLLIN } };
    int r;
    do { r = poll(fds, 2, timeout_ms); } while (r < 0 && errno == EINTR);
    if (r < 0) return -errno;
    if (fds[1].revents) return 0;
    r = sd_journal_process(journal);  /* after every wake-up (sd_journal_get_fd(3)) */
    return r < 0 ? r : 1;
}

void altv_journal_close(struct sd_journal *journal) {
    sd_journal_close(journal);
}

#define _GNU_SOURCE
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include "CLinux.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

const void *altv_memmem(const void *haystack, size_t haystack_length, const void *needle, size_t needle_length) {
    return memmem(haystack, haystack_length, needle, needle_length);
}

const void *altv_memrchr(const void *s, int byte, size_t length) {
    return memrchr(s, byte, length);
}

int altv_pidfd_open(pid_t pid) {
    // pidfds are always close-on-exec; flags 0 (PIDFD_NONBLOCK needs 5.10 and is not needed for polling).
    return (int)syscall(SYS_pidfd_open, pid, 0);
}

pid_t altv_peer_pid(int socket) {
    struct ucred credentials;
    socklen_t length = sizeof credentials;
    if (getsockopt(socket, SOL_SOCKET, SO_PEERCRED, &credentials, &length) != 0 || credentials.pid <= 0) return -1;
    return credentials.pid;
}

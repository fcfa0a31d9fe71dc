#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A failed system call, with the path it was about, as one readable line.
public struct SystemError: Error, CustomStringConvertible, Equatable {
    public var operation: String
    public var path: String?
    public var errno: Int32

    public init(operation: String, path: String?, errno: Int32) {
        self.operation = operation
        self.path = path
        self.errno = errno
    }

    public var description: String {
        let reason = String(cString: strerror(errno))
        if let path { return "\(path): \(reason) (\(operation))" }
        return "\(operation): \(reason)"
    }

    /// The kernel's inotify limits, which a busy desktop (IDEs, file managers, other tails) reaches:
    /// what ran out and the remedy, or nil for any other failure.
    public var inotifyLimit: String? {
        switch (operation, errno) {
        case ("inotify_init1", EMFILE):
            return "no inotify instance left for this user: raise the limit with `sysctl fs.inotify.max_user_instances=1024` (keep it in /etc/sysctl.d/), or close programs that hold many"
        case ("inotify_add_watch", ENOSPC):
            return "no inotify watch left for this user: raise the limit with `sysctl fs.inotify.max_user_watches=524288` (keep it in /etc/sysctl.d/)"
        default:
            return nil
        }
    }
}

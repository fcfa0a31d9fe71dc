import Logging
import ReconnectPolicy
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// What the sources and the readiness gate say (see `ReportText`).
extension ReportText {
    /// A log line as it may be shown: printable, one line, at most 200 characters.
    public static func shownLine(_ line: UnsafeRawBufferPointer) -> String {
        SystemdNotifier.singleLine(String(decoding: line.prefix(200), as: UTF8.self))
    }

    public static func readyLine(_ shown: String) -> ReportText {
        ReportText(level: .debug, message: "Ready line: \(shown)", status: nil)
    }

    public static func longLine(in source: String, limit: Int) -> ReportText {
        ReportText(level: .warning, message: "\(source) has a line longer than \(limit / 1024) KiB; only its first \(limit / 1024) KiB are matched (reported once)", status: nil)
    }

    /// What the log follower's events read as; nil for those the daemon keeps to itself.
    public static func logFile(_ path: String, _ event: LogFollower.Event) -> ReportText? {
        switch event {
        case .waitingForFile:
            return ReportText(level: .info, message: "Waiting for server log \(path) (it does not exist yet)", status: "Waiting for server log \(path)")
        case .waitingForDirectory(let directory):
            return ReportText(level: .info, message: "Waiting for \(directory) to exist (it holds the server log \(path))", status: "Waiting for \(directory) to exist")
        case .unusable(let problem):
            let what = switch problem {
            case .isDirectory: "is a directory, not a log file; fix --log-file"
            case .notRegularFile: "is not a regular file; fix --log-file"
            case .permissionDenied: "permission denied: run as the server's user or add yourself to its group"
            }
            return ReportText(level: .warning, message: "Server log \(path) \(what); waiting until it can be read", status: "Server log \(path) \(what)")
        case .watchFailed(let error):
            return ReportText(level: .error, message: "Cannot watch \(path) any more: \(error.inotifyLimit ?? error.description)", status: nil)
        case .opened:
            return ReportText(level: .info, message: "Following \(path)", status: nil)
        case .caughtUp:
            return nil
        case .truncated:
            return ReportText(level: .info, message: "\(path) was truncated; reading it from the start", status: nil)
        case .replaced:
            return ReportText(level: .info, message: "\(path) was replaced (rotated or recreated); following the new file", status: nil)
        case .removed:
            return ReportText(level: .info, message: "\(path) was removed or renamed; still reading the old file until a new one appears", status: nil)
        case .overflowed:
            return ReportText(level: .warning, message: "The inotify event queue overflowed; looked at \(path) again (no position lost)", status: nil)
        case .readFailed(let error):
            return ReportText(level: .error, message: "Reading the server log failed: \(error)", status: nil)
        }
    }

    public static func followingJournal(_ unit: String) -> ReportText {
        ReportText(level: .info, message: "Following the journal of \(unit)", status: nil)
    }

    /// What the PID file watcher's reports read as; nil for starts and exits, which go to the
    /// readiness gate and read as its reports.
    public static func pidFile(_ path: String, _ event: PidFileWatcher.Event) -> ReportText? {
        switch event {
        case .waitingForFile:
            ReportText(level: .info, message: "Waiting for PID file \(path) (it does not exist yet)", status: "Waiting for PID file \(path)")
        case .stale(let pid):
            ReportText(level: .info, message: "PID file \(path) names PID \(pid), which is not running: the server is down",
                       status: "Server down (stale PID \(pid)); waiting for the next start")
        case .invalid(let text):
            ReportText(level: .warning, message: "PID file \(path) holds '\(text)', not a process ID; ignoring it until it does", status: nil)
        case .started, .exited:
            nil
        }
    }

    /// Caught up with nothing running: what the daemon watches.
    public static func waitingForStart(watching watched: String) -> ReportText {
        ReportText(level: .info, message: "Watching \(watched); waiting for the server to start",
                   status: "Waiting for the server to start (watching \(watched))")
    }

    /// What the readiness gate decided (`waitingForStart` needs what is watched: see above).
    public init(_ report: ReadinessGate.Report, watching watched: String) {
        switch report {
        case .waitingForStart:
            self = .waitingForStart(watching: watched)
        case .processRunning(let pid):
            self.init(level: .info, message: "Server process \(pid) is running", status: nil)
        case .processAwaitingReadyLine(let pid, let alreadyRunning):
            self.init(level: .info, message: "Server process \(pid) \(alreadyRunning ? "is running" : "started"); waiting for its ready line",
                      status: "Server starting (PID \(pid)), waiting for the ready line")
        case .processStarted(let pid, let delay):
            self.init(level: .info, message: "Server process \(pid) started" + (delay > .zero ? "; ready in \(DurationText.format(delay))" : ""),
                      status: "Server starting (PID \(pid))")
        case .processExited(let pid, let stop):
            let detail = switch stop {
            case .beforeReady: ": server stopped before ready"
            case .reconnect: ""
            case .idle: "; waiting for the next start"
            }
            self.init(level: .info, message: "Server process \(pid) exited\(detail)",
                      status: "Server stopped (PID \(pid) exited); waiting for the next start")
        case .waitingForPort(let port):
            self.init(level: .info, message: "Server ready; waiting for port \(port) to accept connections", status: "Server ready, waiting for port \(port)")
        case .portAccepts(let port):
            self.init(level: .debug, message: "Port \(port) accepts connections", status: nil)
        }
    }
}

extension ConfigurationError {
    /// A source that cannot be watched at all (exit 78).
    static func cannotWatch(_ path: String, option: String, _ error: SystemError) -> ConfigurationError {
        if let limit = error.inotifyLimit { return ConfigurationError("cannot watch \(path): \(limit)", errno: error.errno) }
        var hint = "check the \(option) path"
        if error.errno == ENOENT || error.errno == ENOTDIR { hint = "the directory does not exist; create it or fix \(option)" }
        return ConfigurationError("cannot watch \(path): \(error); \(hint)", errno: error.errno)
    }

    static func cannotReadJournal(_ unit: String, _ error: SystemError) -> ConfigurationError {
        ConfigurationError("cannot read the journal of \(unit): \(error); run as a member of the systemd-journal group or follow the server's log file instead", errno: error.errno)
    }
}

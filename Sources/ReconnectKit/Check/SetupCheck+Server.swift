import ReconnectPolicy
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// What the daemon watches, and the ready pattern against what the server wrote so far.
extension SetupCheck {
    func source() -> [CheckResult] {
        if let problem = settings.sourceProblem() {
            // With a configuration that did not load, what it would say is not known.
            guard configError == nil else { return [CheckResult(.warn, "what to watch: not known until the configuration loads")] }
            return [CheckResult(.fail, "what to watch: \(problem)")]
        }
        var results: [CheckResult] = []
        var folderMissing = false
        if let directory = settings[\.serverDirectory] {
            results += serverFolder(ServerFolder(directory))
            folderMissing = access(directory, F_OK) != 0
        }
        // The folder's own log: its missing folder was just said.
        if let path = settings.logFilePath, !(folderMissing && settings[\.logFile] == nil) { results.append(logFile(path)) }
        if let unit = settings[\.journalUnit] {
            let name = JournalFollower.unitName(unit)
            results.append(CheckResult(.pass, "journal of \(name): followed through sd_journal",
                                       fix: nil))
        }
        if let name = settings[\.dockerContainer] { results += container(name) }
        if let path = settings[\.pidFile] { results.append(pidFile(path)) }
        return results
    }

    /// The server's folder and what its server.toml says (as the daemon reads it).
    func serverFolder(_ folder: ServerFolder) -> [CheckResult] {
        guard access(folder.directory, F_OK) == 0 else {
            return [CheckResult(.warn, "server folder \(folder)/ does not exist yet; the daemon waits for it", fix: "install the server there, or fix server-dir")]
        }
        let path = folder.serverToml
        switch ServerToml.read(path) {
        case .missing:
            return [CheckResult(.fail, "server folder \(folder)/ has no server.toml", fix: "set server-dir to the alt:V server's folder (the one holding server.toml)")]
        case .unreadable(let reason):
            return [CheckResult(.fail, "cannot read \(path): \(reason)", fix: "run as the server's user or add yourself to its group")]
        case .invalid(let line, let reason):
            return [CheckResult(.fail, "\(path) line \(line): \(reason)", fix: "correct it (the server does not start with it either)")]
        case .read(let values):
            let port = values.portShown
            var results = [CheckResult(.pass, "server folder \(folder)/: server.toml says \(port), \(values.password == nil ? "no password" : "a password")")]
            if values.debug == true {
                results.append(CheckResult(.pass, "\(path) has debug = true"))
            } else {
                results.append(CheckResult(.fail, "\(path) has \(values.debug == false ? "debug = false" : "no debug key"): the client will not accept the reconnect",
                                           fix: "set debug = true in it (and in the client's altv.toml), then restart the server"))
            }
            return results
        }
    }

    /// Classified as the follower classifies it (`LogFollower.NameState`), so that check and
    /// daemon agree on what is missing and what is unusable.
    func logFile(_ path: String) -> CheckResult {
        let denied = CheckResult(.fail, "log file \(path): permission denied", fix: "run as the server's user or add yourself to its group")
        switch LogFollower.NameState(path) {
        case .missing:
            let folder = PathText.split(path).directory
            if access(folder, F_OK) != 0 {
                return CheckResult(.warn, "log file \(path): its folder \(folder)/ does not exist yet; the daemon waits for it",
                                   fix: "install the server there, or fix log-file")
            }
            return CheckResult(.warn, "log file \(path) does not exist yet; the daemon waits for it",
                               fix: "start the server with --logfile \(path) (or run it in that folder), or fix log-file")
        case .unusable(.permissionDenied):
            return denied
        case .unusable(.isDirectory):
            return CheckResult(.fail, "log file \(path) is a directory", fix: "give the log file inside it, e.g. \(path)/server.log")
        case .unusable(.notRegularFile):
            return CheckResult(.fail, "log file \(path) is not a regular file", fix: "fix log-file")
        case .file:
            // The name resolves; whether the daemon may open it is a matter of the file's mode.
            var status = stat()
            guard access(path, R_OK) == 0, stat(path, &status) == 0 else { return denied }
            return CheckResult(.pass, "log file \(path) exists (\(status.st_size) bytes) and is readable")
        }
    }

    func pidFile(_ path: String) -> CheckResult {
        let folder = PathText.split(path).directory
        if access(folder, F_OK) != 0 {
            return CheckResult(.fail, "PID file \(path): its folder \(folder)/ does not exist; the daemon refuses to start (exit 78) until it does",
                               fix: "create it, or fix pid-file")
        }
        guard let bytes = try? WholeFile.read(path, maximumSize: 4096) else {
            return CheckResult(.warn, "PID file \(path) does not exist (or cannot be read): the server is not running, or writes it elsewhere",
                               fix: "check pid-file against the server's start script")
        }
        switch PidFileText.parse(bytes) {
        case .pid(let pid):
            if Self.isZombie(pid) {
                return CheckResult(.warn, "PID file \(path) names PID \(pid), which has exited (its parent has not reaped it yet): the server is down")
            }
            if kill(pid, 0) == 0 || errno == EPERM { return CheckResult(.pass, "PID file \(path): server process \(pid) is running") }
            return CheckResult(.warn, "PID file \(path) names PID \(pid), which is not running: the server is down")
        case .empty:
            return CheckResult(.warn, "PID file \(path) is empty")
        case .invalid(let text):
            return CheckResult(.fail, "PID file \(path) holds '\(text)', not a process ID", fix: "check pid-file: it should name the file the server's PID is written to")
        }
    }

    /// Whether `pid` has exited and waits for its parent to reap it. `kill(pid, 0)` still succeeds
    /// on such a zombie, where the daemon's pidfd has already said the process ended.
    static func isZombie(_ pid: pid_t) -> Bool {
        // /proc/PID/stat: "PID (COMMAND) STATE …"; COMMAND may hold ") ", the last one ends it.
        guard let bytes = try? WholeFile.read("/proc/\(pid)/stat", maximumSize: 4096),
              let close = bytes.lastIndex(of: UInt8(ascii: ")")), close + 2 < bytes.count else { return false }
        return bytes[close + 2] == UInt8(ascii: "Z")
    }

    /// The last line of the existing log the pattern matches (colours stripped, as the daemon
    /// matches), or, when none does, the log's last lines: the usual cause of "it never reconnects".
    func readyPattern() -> [CheckResult] {
        if let name = settings[\.dockerContainer] {
            return containerOutput(name).map { readyPattern(in: $0, of: "container \(name)'s output", shortName: "the container's") } ?? []
        }
        guard let path = settings.logFilePath, let bytes = try? WholeFile.readTail(path, maximumSize: 4 << 20) else { return [] }
        return readyPattern(in: bytes, of: path, shortName: "the log's")
    }

    /// - Parameters: `source`: the lines' source as named in the warning; `shortName`: in the pass.
    func readyPattern(in bytes: [UInt8], of source: String, shortName: String) -> [CheckResult] {
        guard let pattern = settings.value(\.readyPattern), !bytes.isEmpty else { return [] }
        var scanner = LineScanner(pattern: pattern)
        var last: String?
        // A last line without its newline counts too (the server may be writing it).
        let whole = bytes.last == UInt8(ascii: "\n") ? bytes : bytes + [UInt8(ascii: "\n")]
        whole.withUnsafeBytes { buffer in
            scanner.scan(buffer) { line in last = ReportText.shownLine(line) }
        }
        if let last { return [CheckResult(.pass, "ready pattern '\(pattern)' matches \(shortName) line '\(last)'")] }
        let tail = String(decoding: bytes.suffix(4096), as: UTF8.self).split(whereSeparator: \.isNewline).suffix(3)
            .map { "'" + TerminalText.stripped(String($0.prefix(100))) + "'" }
        return [CheckResult(.warn, "no line of \(source) matches the ready pattern '\(pattern)'; the last lines are \(tail.joined(separator: ", "))",
                            fix: "if the server is up, set ready-pattern to match its ready line")]
    }
}

import ReconnectPolicy
import CShims
import Logging
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A log level read on every message and set on reload.
public final class SharedLogLevel: Sendable {
    private let level: Mutex<Logger.Level>

    init(_ level: Logger.Level) { self.level = Mutex(level) }

    public func get() -> Logger.Level { level.withLock { $0 } }

    public func set(_ newLevel: Logger.Level) { level.withLock { $0 = newLevel } }
}

/// swift-log handler for the daemon, in one of two forms:
///
/// - `.structured`, stderr is the journal (`JOURNAL_STREAM` matches it): one entry per message
///   through `sd_journal_sendv` (the shim), with `PRIORITY=`, `SYSLOG_IDENTIFIER=altv-reconnectd`
///   and every metadata key spelled as a journal field (`ALTV_EVENT`, `MESSAGE_ID`, …) as a field
///   of its own, so `journalctl ALTV_EVENT=reconnect_sent` finds it. Should journald refuse an
///   entry, that line goes to stderr as in `.journalStream`;
/// - `.journalStream`: `<6>message` on stderr, the `<N>` prefix carrying the priority (sd-daemon(3));
/// - `.plain`, a file or a pipe: `12:42:21.123 info  message key=value`, journal fields left out;
/// - `.terminal`, a terminal: the same with the level coloured, a whole error line in bold red
///   (never for the journal or a pipe, and not with `NO_COLOR` set or `TERM=dumb`).
///
/// Each line is written with a single `write(2)`, so lines from different threads never mix.
public struct DaemonLogHandler: LogHandler {
    public enum Format: Sendable { case structured, journalStream, plain, terminal }

    /// The level below which messages are dropped, shared by every handler so that a reload
    /// (SIGHUP, `verbose = true`) changes it for the whole process.
    public static let threshold = SharedLogLevel(.info)

    public var logLevel: Logger.Level {
        get { Self.threshold.get() }
        set { Self.threshold.set(newValue) }
    }
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let format: Format

    public init(format: Format) {
        self.format = format
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        var text = event.message.description
        var fields: [String] = []
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) {
            if Self.isJournalField(key) { fields.append("\(key)=\(value)") } else { text += " \(key)=\(value)" }
        }
        switch format {
        case .structured where Self.send(fields + ["MESSAGE=\(text)", "PRIORITY=\(Self.priority(event.level))", "SYSLOG_IDENTIFIER=altv-reconnectd"]):
            return
        case .structured, .journalStream:  // .structured here: journald refused the entry
            Self.writeLine("<\(Self.priority(event.level))>" + SystemdNotifier.singleLine(text))
        case .plain:
            Self.writeLine(Self.timestamp() + " " + Self.label(event.level) + " " + SystemdNotifier.singleLine(text))
        case .terminal:
            let (label, line) = TerminalColour.level(event.level)
            let message = SystemdNotifier.singleLine(text)
            Self.writeLine(Self.timestamp() + " " + label + Self.label(event.level) + TerminalColour.reset + " " + (line.isEmpty ? message : line + message + TerminalColour.reset))
        }
    }

    /// `ALTV_EVENT`, `MESSAGE_ID`: upper-case letters, digits and `_`, not starting with `_`
    /// (journald's rule for fields a client may set).
    static func isJournalField(_ key: String) -> Bool {
        guard let first = key.utf8.first, first >= UInt8(ascii: "A"), first <= UInt8(ascii: "Z") else { return false }
        return key.utf8.allSatisfy { ($0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z")) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || $0 == UInt8(ascii: "_") }
    }

    private static func send(_ fields: [String]) -> Bool {
        var pointers = fields.map { strdup($0) }
        defer { pointers.forEach { free($0) } }
        let result = pointers.withUnsafeMutableBufferPointer { buffer in
            buffer.withMemoryRebound(to: UnsafePointer<CChar>?.self) { altv_journal_send($0.baseAddress, $0.count) }
        }
        return result >= 0
    }

    private static func writeLine(_ line: String) {
        var bytes = Array((line + "\n").utf8)
        bytes.withUnsafeMutableBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = write(STDERR_FILENO, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else { return }
                offset += written
            }
        }
    }

    /// syslog priorities: 3 err, 4 warning, 5 notice, 6 info, 7 debug.
    static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    static func label(_ level: Logger.Level) -> String {
        switch level {
        case .trace: "trace"
        case .debug: "debug"
        case .info: "info "
        case .notice: "note "
        case .warning: "warn "
        case .error: "error"
        case .critical: "crit "
        }
    }

    static func timestamp() -> String {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        var seconds = spec.tv_sec
        var parts = tm()
        localtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let millis = Int(spec.tv_nsec) / 1_000_000
        let milliText = millis < 10 ? "00\(millis)" : millis < 100 ? "0\(millis)" : "\(millis)"
        return "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)).\(milliText)"
    }
}

/// ANSI colours for a terminal that wants them.
public enum TerminalColour {
    public static let reset = "\u{1B}[0m"

    /// Colour on stderr: a terminal, `NO_COLOR` unset or empty (no-color.org), `TERM` not `dumb`.
    public static func wanted(environment: [String: String]) -> Bool {
        isatty(STDERR_FILENO) != 0 && (environment["NO_COLOR"] ?? "").isEmpty && environment["TERM"] != "dumb"
    }

    /// The level's colour, and the whole line's for errors (so that they stand out).
    static func level(_ level: Logger.Level) -> (label: String, line: String) {
        switch level {
        case .trace, .debug: ("\u{1B}[2m", "")
        case .info: ("\u{1B}[36m", "")
        case .notice: ("\u{1B}[32m", "")
        case .warning: ("\u{1B}[33m", "")
        case .error, .critical: ("\u{1B}[1;31m", "\u{1B}[1;31m")
        }
    }

    /// An error line of the command line, `altv-reconnectd: …`, in bold red on a terminal.
    public static func error(_ line: String, environment: [String: String]) -> String {
        wanted(environment: environment) ? "\u{1B}[1;31m" + line + reset : line
    }
}

import ReconnectPolicy
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Whether stderr is connected to the journal (systemd.exec(5), `$JOURNAL_STREAM`).
///
/// The variable names the device and inode of the stream systemd connected; it is inherited by
/// children whose stderr may point elsewhere, so it counts only when it matches `fstat(2)`.
public enum JournalStream {
    public static func isStandardErrorJournal(environment: [String: String]) -> Bool {
        guard let value = environment["JOURNAL_STREAM"] else { return false }
        let parts = value.split(separator: ":")
        guard parts.count == 2, let device = UInt64(parts[0]), let inode = UInt64(parts[1]) else { return false }
        var status = stat()
        guard fstat(STDERR_FILENO, &status) == 0 else { return false }
        return UInt64(status.st_dev) == device && UInt64(status.st_ino) == inode
    }

    /// journald's socket for native entries (sd_journal_sendv). libsystemd drops entries
    /// silently when it is missing, so the handler checks for it once, up front.
    public static let nativeSocket = "/run/systemd/journal/socket"

    /// How the daemon should log given its environment: structured entries when stderr is the
    /// journal and journald's native socket is there, `<N>`-prefixed lines when only the stream
    /// is, plain lines otherwise.
    public static func logFormat(environment: [String: String]) -> DaemonLogHandler.Format {
        guard isStandardErrorJournal(environment: environment) else { return TerminalColour.wanted(environment: environment) ? .terminal : .plain }
        return access(nativeSocket, W_OK) == 0 ? .structured : .journalStream
    }
}

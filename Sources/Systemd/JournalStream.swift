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
}

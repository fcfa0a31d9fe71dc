import ReconnectPolicy
import CShims
import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Watches a server's PID file: a new PID is a new server start, and the process's exit is seen
/// the moment it happens through a pidfd (readable when the process ends), without polling.
///
/// The file may be written in place (create, write, close: parsed on `IN_CLOSE_WRITE`) or
/// atomically by rename (`IN_MOVED_TO`); empty or partial content is ignored until complete.
/// A PID that names no process is a stale file: the server is down. PIDs can be reused between
/// reading the file and opening the pidfd, so the file is read again after the pidfd is open.
///
/// Threading: all state is confined to `queue`; events are delivered on it.
public final class PidFileWatcher: @unchecked Sendable {
    public enum Event: Sendable, Equatable {
        /// The PID file does not exist (yet).
        case waitingForFile
        /// A server process is running with this PID; `atStart` when found as the watcher started.
        case started(pid: Int32, atStart: Bool)
        /// The process exited.
        case exited(pid: Int32)
        /// The file names a process that does not exist: the server is down.
        case stale(pid: Int32)
        /// The file holds something that is not a PID (reported once per content).
        case invalid(String)
    }

    public let path: String
    private let queue: DispatchQueue
    private let onEvent: (Event) -> Void
    private let inotify: Inotify
    private let name: String
    private var source: DispatchSourceRead?
    private var process: (pid: Int32, source: DispatchSourceRead)?
    private var lastSeen: Int32?
    private var lastInvalid: String?

    public init(path: String, queue: DispatchQueue, onEvent: @escaping (Event) -> Void) throws(SystemError) {
        self.path = path
        self.queue = queue
        self.onEvent = onEvent
        name = PathText.split(path).name
        inotify = try Inotify()
    }

    /// Arms the watch and reads the file once. Must be called on `queue`.
    public func start() throws(SystemError) {
        dispatchPrecondition(condition: .onQueue(queue))
        let mask = UInt32(IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_ONLYDIR)
        _ = try inotify.addWatch(PathText.split(path).directory, mask: mask)
        let source = DispatchSource.makeReadSource(fileDescriptor: inotify.fileDescriptor, queue: queue)
        source.setEventHandler { [weak self] in
            guard let self else { return }
            var relevant = false
            inotify.drain { if $0.name == self.name || $0.isOverflow { relevant = true } }
            if relevant { check(atStart: false) }
        }
        self.source = source
        if readPid() == nil && access(path, F_OK) != 0 { onEvent(.waitingForFile) }
        check(atStart: true)
        source.resume()
    }

    public func stop() {
        source?.cancel()
        source = nil
        process?.source.cancel()
        process = nil
    }

    /// The PID currently followed, if its process runs.
    public var runningPid: Int32? { process?.pid }

    // MARK: Checking

    private func check(atStart: Bool) {
        guard let pid = readPid() else { return }
        if pid == process?.pid { return }  // the same server, still running
        if pid == lastSeen && process == nil { return }  // the same exited or stale PID, already reported
        lastSeen = pid
        let descriptor = altv_pidfd_open(pid)
        guard descriptor >= 0 else {
            onEvent(.stale(pid: pid))
            return
        }
        // The PID may have been reused between reading the file and opening the pidfd: the file
        // must still name it.
        guard readPid() == pid else {
            close(descriptor)
            lastSeen = nil
            check(atStart: atStart)
            return
        }
        follow(pid: pid, descriptor: descriptor, atStart: atStart)
    }

    private func follow(pid: Int32, descriptor: Int32, atStart: Bool) {
        process?.source.cancel()
        let source = DispatchSource.makeReadSource(fileDescriptor: descriptor, queue: queue)
        source.setEventHandler { [weak self] in
            // A pidfd stays readable after the exit: cancel at the first event.
            guard let self, let current = process, current.pid == pid else { return }
            current.source.cancel()
            process = nil
            onEvent(.exited(pid: pid))
        }
        source.setCancelHandler { close(descriptor) }
        process = (pid, source)
        source.resume()
        onEvent(.started(pid: pid, atStart: atStart))
    }

    /// The PID in the file, or nil when it is absent, empty, partial or not a number.
    private func readPid() -> Int32? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: PidFileText.readLimit)
        let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard count > 0 else { return nil }
        switch PidFileText.parse(buffer[0..<count]) {
        case .pid(let pid):
            return pid
        case .empty:
            return nil
        case .invalid(let text):
            // A file as long as the read may be still being written: judged when complete.
            if text != lastInvalid, count < buffer.count {
                lastInvalid = text
                onEvent(.invalid(String(text.prefix(32))))
            }
            return nil
        }
    }
}

/// What a PID file's content says (outside input: whatever a start script wrote).
public enum PidFileText: Equatable {
    case pid(Int32)
    /// Nothing but whitespace (being written, or truncated).
    case empty
    /// Not one positive decimal number; the text with whitespace runs made single spaces.
    case invalid(String)

    /// How much of a PID file is read: a PID and a newline fit many times over.
    public static let readLimit = 64

    public static func parse(_ bytes: some Collection<UInt8>) -> PidFileText {
        let fields = String(decoding: bytes, as: UTF8.self).split(whereSeparator: \.isWhitespace)
        guard !fields.isEmpty else { return .empty }
        let text = fields.joined(separator: " ")
        guard fields.count == 1, let pid = Int32(text), pid > 0 else { return .invalid(text) }
        return .pid(pid)
    }
}

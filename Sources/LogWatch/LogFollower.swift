import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Follows a log file by name, the way `tail -F` does, driven by inotify through a Dispatch
/// read source (never a read source on the regular file: libdispatch's epoll backend would
/// report it readable forever).
///
/// Design: every inotify event about the file or its name only says "look again". `sync()` then
/// compares what is on disk with what we hold — same device and inode? smaller than our offset?
/// gone? — and reads whatever is new to EOF in bounded chunks. Deciding from state instead of
/// from the event sequence makes coalesced events, split rename pairs and queue overflows
/// harmless: a later look always sees the truth.
///
/// Threading: all state is confined to `queue` (a serial queue); callbacks run on it.
public final class LogFollower: @unchecked Sendable {
    public enum Event: Sendable, Equatable {
        /// The file does not exist (yet); we wait for it to appear.
        case waitingForFile
        /// The file is open and followed from `offset`.
        case opened(offset: Int)
        /// The existing content has been read; later lines are new.
        case caughtUp
        /// The file became shorter than what we had read (copytruncate): reading from the start.
        case truncated
        /// The name now points at another file (rotation, delete + create): following it from its start.
        case replaced
        /// The file was deleted or renamed away and nothing has the name yet.
        case removed
        /// A line longer than the limit was cut (reported once).
        case longLineCut(limit: Int)
        /// Reading failed (reported; the next event retries).
        case readFailed(SystemError)
    }

    public let path: String
    private let directory: String
    private let basename: String
    private let queue: DispatchQueue
    private let onLine: (UnsafeRawBufferPointer) -> Void
    private let onEvent: (Event) -> Void
    private let chunkSize: Int

    private let inotify: Inotify
    private var source: DispatchSourceRead?
    private var fileWatch: Int32?
    private var file: OpenFile?
    private var splitter: LineSplitter
    private var chunk: [UInt8]
    private var reportedLongLines = false

    private struct OpenFile {
        var descriptor: Int32
        var device: UInt64
        var inode: UInt64
        var offset: Int
    }

    /// - Parameters:
    ///   - onLine: each complete line, raw bytes without the `\n`, valid only during the call.
    ///   - onEvent: lifecycle changes worth a log line.
    public init(
        path: String, queue: DispatchQueue, maximumLineLength: Int = 64 * 1024, chunkSize: Int = 256 * 1024,
        onLine: @escaping (UnsafeRawBufferPointer) -> Void, onEvent: @escaping (Event) -> Void
    ) throws(SystemError) {
        self.path = path
        let slash = path.lastIndex(of: "/")
        directory = slash.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
        basename = slash.map { String(path[path.index(after: $0)...]) } ?? path
        self.queue = queue
        self.onLine = onLine
        self.onEvent = onEvent
        self.chunkSize = chunkSize
        splitter = LineSplitter(maximumLineLength: maximumLineLength)
        chunk = []
        inotify = try Inotify()
    }

    /// Arms the watches, reads the existing content (emitting its lines, then `.caughtUp`), and
    /// starts following. Must be called on `queue`. Throws if the directory cannot be watched.
    public func start() throws(SystemError) {
        dispatchPrecondition(condition: .onQueue(queue))
        let directoryMask = UInt32(IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF)
        _ = try inotify.addWatch(directory, mask: directoryMask | UInt32(IN_ONLYDIR))
        let source = DispatchSource.makeReadSource(fileDescriptor: inotify.fileDescriptor, queue: queue)
        source.setEventHandler { [weak self] in self?.inotifyReadable() }
        self.source = source
        if !openCurrent(fromStart: true) { onEvent(.waitingForFile) }
        onEvent(.caughtUp)
        source.resume()
    }

    /// Stops following; closes the file. Must be called on `queue`.
    public func stop() {
        source?.cancel()
        source = nil
        closeFile()
    }

    deinit {
        if let file { close(file.descriptor) }
    }

    // MARK: Events

    private func inotifyReadable() {
        var relevant = false
        inotify.drain { event in
            if event.isOverflow || event.watch == fileWatch || event.name == basename || event.name.isEmpty {
                relevant = true
            }
        }
        if relevant { sync() }
    }

    /// Compare the name on disk with the open file; read what is new. Idempotent.
    func sync() {
        guard var current = file else {
            _ = openCurrent(fromStart: true)
            return
        }
        var status = stat()
        if fstat(current.descriptor, &status) == 0 && Int(status.st_size) < current.offset {
            // Shrunk under us: truncated in place (copytruncate). Start over from the top.
            current.offset = 0
            file = current
            splitter.reset()
            onEvent(.truncated)
        }
        readToEnd()
        var named = stat()
        let nameExists = stat(path, &named) == 0
        if nameExists && UInt64(named.st_dev) == current.device && UInt64(named.st_ino) == current.inode {
            return
        }
        // The name points elsewhere or nowhere: the old file is finished (we read it to EOF above).
        closeFile()
        if nameExists {
            onEvent(.replaced)
            _ = openCurrent(fromStart: true)
        } else {
            onEvent(.removed)
        }
    }

    // MARK: File handling

    /// Opens the file at `path` if it exists; reads it from the start. Returns false if absent.
    private func openCurrent(fromStart: Bool) -> Bool {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else {
            if errno != ENOENT { onEvent(.readFailed(SystemError(operation: "open", path: path, errno: errno))) }
            return false
        }
        var status = stat()
        fstat(descriptor, &status)
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            close(descriptor)
            onEvent(.readFailed(SystemError(operation: "open", path: path, errno: EISDIR)))
            return false
        }
        let mask = UInt32(IN_MODIFY | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF)
        fileWatch = try? inotify.addWatch(path, mask: mask)
        file = OpenFile(descriptor: descriptor, device: UInt64(status.st_dev), inode: UInt64(status.st_ino), offset: 0)
        splitter.reset()
        onEvent(.opened(offset: 0))
        readToEnd()
        return true
    }

    private func closeFile() {
        if let fileWatch { inotify.removeWatch(fileWatch) }
        fileWatch = nil
        if let file { close(file.descriptor) }
        file = nil
        splitter.reset()
    }

    /// Reads from the offset to EOF in `chunkSize` pieces, handing out complete lines.
    private func readToEnd() {
        guard var current = file else { return }
        if chunk.count != chunkSize { chunk = [UInt8](repeating: 0, count: chunkSize) }
        while true {
            let count = chunk.withUnsafeMutableBytes { pread(current.descriptor, $0.baseAddress, $0.count, off_t(current.offset)) }
            if count < 0 {
                if errno == EINTR { continue }
                onEvent(.readFailed(SystemError(operation: "read", path: path, errno: errno)))
                break
            }
            if count == 0 { break }
            current.offset += count
            chunk.withUnsafeBytes { raw in
                splitter.split(UnsafeRawBufferPointer(rebasing: raw[0..<count]), onLine)
            }
        }
        file = current
        if splitter.truncatedLines > 0 && !reportedLongLines {
            reportedLongLines = true
            onEvent(.longLineCut(limit: splitter.maximumLineLength))
        }
    }
}

import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Receives the bytes of a followed log, in order.
public protocol LogSink: AnyObject, Sendable {
    /// Bytes appended to the followed file (any split; lines may straddle calls).
    func consume(_ bytes: UnsafeRawBufferPointer)
    /// The stream starts over (truncated, or another file): drop any unfinished line.
    func restart()
}

/// Follows a log file by name with `tail -F` semantics, driven by inotify through a Dispatch read
/// source (never a read source on the regular file: libdispatch's epoll backend would report it
/// readable forever).
///
/// Design: every inotify event about the file, its name or a queue overflow only says "look
/// again". `sync()` then compares what is on disk with what it holds, by device and inode and by
/// size, and reads whatever is new to EOF in bounded chunks. Deciding from state rather than
/// from event sequences makes coalesced events, split rename pairs and `IN_Q_OVERFLOW` harmless.
///
/// - Appends: read from the offset to EOF.
/// - Truncation (copytruncate): the file is shorter than the offset, *or* the 64 bytes before
///   the offset changed (truncated and rewritten past the old size between two looks, which GNU
///   tail cannot see): read again from the start.
/// - Rotation, delete + recreate: the old file is read to its end and *kept* while the name's
///   new file is still empty — a server that has not reopened its log keeps writing to the old
///   one — and dropped for the new file once that has data.
/// - A symlinked path: the link's directory and the target's directory are both watched, so
///   relinking and the target's creation are seen.
///
/// Threading: all state is confined to `queue` (serial); the sink is called on it.
public final class LogFollower: @unchecked Sendable {
    public enum Event: Sendable, Equatable {
        /// The file does not exist (yet); we wait for it to appear.
        case waitingForFile
        /// A file is open and followed from its start.
        case opened
        /// The existing content has been read; later lines are new.
        case caughtUp
        /// The file was truncated (or rewritten from the start): reading it from the start.
        case truncated
        /// The name now points at another file (rotation, delete + create): following it.
        case replaced
        /// The name is gone; the old file is still followed until a new one has data.
        case removed
        /// The queue of inotify events overflowed; everything was looked at again.
        case overflowed
        /// Reading failed (the next event retries).
        case readFailed(SystemError)
    }

    public let path: String
    private let queue: DispatchQueue
    private let sink: LogSink
    private let onEvent: (Event) -> Void
    private let chunkSize: Int

    private let inotify: Inotify
    private var source: DispatchSourceRead?
    private var directoryWatches: [String: Int32] = [:]
    /// Names in the watched directories whose events matter (the path's, and a symlink target's).
    private var names: Set<String> = []
    private var fileWatch: Int32?
    /// Watch on the file that now has the name while we still drain the old one.
    private var successorWatch: Int32?
    private var file: OpenFile?
    private var nameGone = false
    private var chunk: [UInt8] = []

    private struct OpenFile {
        var descriptor: Int32
        var device: UInt64
        var inode: UInt64
        var offset: Int
        /// The bytes just before `offset`, to notice a file rewritten from the start.
        var fingerprint: [UInt8] = []
    }

    static let fingerprintLength = 64

    public init(path: String, queue: DispatchQueue, sink: LogSink, chunkSize: Int = 256 * 1024, onEvent: @escaping (Event) -> Void) throws(SystemError) {
        self.path = path
        self.queue = queue
        self.sink = sink
        self.onEvent = onEvent
        self.chunkSize = chunkSize
        inotify = try Inotify()
    }

    /// Arms the watches, reads the existing content, reports `.caughtUp`, and starts following.
    /// Must be called on `queue`. Throws if the directory cannot be watched.
    public func start() throws(SystemError) {
        dispatchPrecondition(condition: .onQueue(queue))
        try watchDirectory(of: path)
        watchSymlinkTarget()
        let source = DispatchSource.makeReadSource(fileDescriptor: inotify.fileDescriptor, queue: queue)
        source.setEventHandler { [weak self] in self?.inotifyReadable() }
        self.source = source
        if !openCurrent() { onEvent(.waitingForFile) }
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

    /// How many descriptors and watches the follower holds (for leak checks).
    public var resourceCount: (files: Int, watches: Int) {
        (file == nil ? 0 : 1, directoryWatches.count + (fileWatch == nil ? 0 : 1) + (successorWatch == nil ? 0 : 1))
    }

    // MARK: Events

    private func inotifyReadable() {
        var relevant = false
        var overflow = false
        inotify.drain { event in
            if event.isOverflow { overflow = true }
            if event.watch == fileWatch || event.watch == successorWatch || names.contains(event.name) { relevant = true }
            if event.mask & UInt32(IN_IGNORED) != 0, let lost = directoryWatches.first(where: { $0.value == event.watch }) {
                directoryWatches[lost.key] = nil
            }
        }
        if overflow { onEvent(.overflowed) }
        if relevant || overflow { sync() }
    }

    /// Compares the name on disk with the open file and reads what is new. Idempotent.
    func sync() {
        watchSymlinkTarget()
        guard let current = file else {
            _ = openCurrent()
            return
        }
        if rewrittenFromStart(current) {
            file?.offset = 0
            file?.fingerprint = []
            sink.restart()
            onEvent(.truncated)
        }
        readToEnd()
        var named = stat()
        guard stat(path, &named) == 0 else {
            // The name is gone: keep reading the old file (a writer may still hold it) until a new one appears.
            if !nameGone {
                nameGone = true
                onEvent(.removed)
            }
            return
        }
        if UInt64(named.st_dev) == current.device && UInt64(named.st_ino) == current.inode { return }
        if named.st_size == 0 && oldFileStillLinked(current) {
            // Rotated (create mode) and the writer has not moved yet: wait for the first write there.
            if successorWatch == nil { successorWatch = try? inotify.addWatch(path, mask: UInt32(IN_MODIFY | IN_ATTRIB)) }
            return
        }
        // The new file has data (or the old one is gone): the old file is finished, switch.
        closeFile()
        onEvent(.replaced)
        _ = openCurrent()
    }

    private func oldFileStillLinked(_ current: OpenFile) -> Bool {
        var status = stat()
        return fstat(current.descriptor, &status) == 0 && status.st_nlink > 0
    }

    /// Shorter than what we read, or the bytes before our offset changed.
    private func rewrittenFromStart(_ current: OpenFile) -> Bool {
        var status = stat()
        guard fstat(current.descriptor, &status) == 0 else { return false }
        if Int(status.st_size) < current.offset { return true }
        guard !current.fingerprint.isEmpty else { return false }
        var now = [UInt8](repeating: 0, count: current.fingerprint.count)
        let start = current.offset - current.fingerprint.count
        let count = now.withUnsafeMutableBytes { pread(current.descriptor, $0.baseAddress, $0.count, off_t(start)) }
        return count == now.count && now != current.fingerprint
    }

    // MARK: Watches

    private func watchDirectory(of filePath: String) throws(SystemError) {
        let (directory, name) = Self.split(filePath)
        names.insert(name)
        guard directoryWatches[directory] == nil else { return }
        let mask = UInt32(IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)
        directoryWatches[directory] = try inotify.addWatch(directory, mask: mask)
    }

    /// If `path` is a symlink, also watch the directory its target lives in (the target may
    /// not exist yet); a relinked path is seen through the link's own directory.
    private func watchSymlinkTarget() {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink(path, &buffer, buffer.count - 1)
        guard length > 0 else { return }
        var target = String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if !target.hasPrefix("/") { target = Self.split(path).directory + "/" + target }
        try? watchDirectory(of: target)
    }

    static func split(_ path: String) -> (directory: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let directory = slash == path.startIndex ? "/" : String(path[..<slash])
        return (directory, String(path[path.index(after: slash)...]))
    }

    // MARK: File handling

    /// Opens the file at `path` if it exists and reads it from the start. False if absent.
    private func openCurrent() -> Bool {
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
        fileWatch = try? inotify.addWatch(path, mask: UInt32(IN_MODIFY | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF))
        file = OpenFile(descriptor: descriptor, device: UInt64(status.st_dev), inode: UInt64(status.st_ino), offset: 0)
        nameGone = false
        sink.restart()
        onEvent(.opened)
        readToEnd()
        return true
    }

    private func closeFile() {
        for watch in [fileWatch, successorWatch].compactMap({ $0 }) { inotify.removeWatch(watch) }
        fileWatch = nil
        successorWatch = nil
        if let file { close(file.descriptor) }
        file = nil
    }

    /// Reads from the offset to EOF in `chunkSize` pieces into the sink.
    private func readToEnd() {
        guard var current = file else { return }
        if chunk.count != chunkSize { chunk = [UInt8](repeating: 0, count: chunkSize) }
        var readAny = false
        while true {
            let count = chunk.withUnsafeMutableBytes { pread(current.descriptor, $0.baseAddress, $0.count, off_t(current.offset)) }
            if count < 0 {
                if errno == EINTR { continue }
                onEvent(.readFailed(SystemError(operation: "read", path: path, errno: errno)))
                break
            }
            if count == 0 { break }
            readAny = true
            current.offset += count
            chunk.withUnsafeBytes { sink.consume(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
        }
        if readAny {
            let length = min(Self.fingerprintLength, current.offset)
            current.fingerprint = [UInt8](repeating: 0, count: length)
            let got = current.fingerprint.withUnsafeMutableBytes { pread(current.descriptor, $0.baseAddress, length, off_t(current.offset - length)) }
            if got != length { current.fingerprint = [] }
        }
        file = current
    }
}

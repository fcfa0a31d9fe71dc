import CShims
import Dispatch
import ReconnectPolicy
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The files a `LogFollower` holds: opening the named file, reading it, noticing a rewrite.
extension LogFollower {
    /// What the followed name points at now.
    enum NameState {
        case file(FileIdentity)
        case missing
        case unusable(Problem)

        init(_ path: String) {
            var status = stat()
            guard stat(path, &status) == 0 else {
                self = errno == EACCES ? .unusable(.permissionDenied) : .missing
                return
            }
            switch status.st_mode & S_IFMT {
            case S_IFREG: self = .file(FileIdentity(status))
            case S_IFDIR: self = .unusable(.isDirectory)
            default: self = .unusable(.notRegularFile)
            }
        }
    }

    /// An open file and how far it was read.
    struct TrackedFile {
        var descriptor: Int32
        var watch: Int32?
        var identity: FileIdentity
        /// Read up to here.
        var offset = 0
        /// The file's modification time when `offset` was taken (the size it had then is `offset`).
        var modified = timespec()
        /// The bytes just before `offset`, to notice a file rewritten from the start.
        var fingerprint: [UInt8] = []
        /// A write (`IN_MODIFY`) was reported since the last read.
        var written = false

        /// Measured now (a file waiting as the successor has not been read).
        var hasData: Bool {
            var status = stat()
            return fstat(descriptor, &status) == 0 && status.st_size > 0
        }

        var stillLinked: Bool {
            var status = stat()
            return fstat(descriptor, &status) == 0 && status.st_nlink > 0
        }
    }

    /// Opens the file the name points to, then watches it through its descriptor; it is measured
    /// only after that (`hasData`, `readCurrent`): a write at any moment is either measured or reported. Nil (with a report) if it cannot
    /// be opened; an identity that changed meanwhile is caught by the next look.
    func openNamed() -> TrackedFile? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
        guard descriptor >= 0 else {
            switch errno {
            case EACCES, EPERM: report(.unusable(.permissionDenied))
            case ENOENT, ENOTDIR: break  // gone again; its removal is the next event
            default: onEvent(.readFailed(SystemError(operation: "open", path: path, errno: errno)))
            }
            return nil
        }
        var status = stat()
        guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else {
            close(descriptor)
            return nil
        }
        raceHook?(.beforeWatchingNewFile)
        var tracked = TrackedFile(descriptor: descriptor, identity: FileIdentity(status))
        do {
            // Through the descriptor, the watch is on this very file whatever the name points at now;
            // without /proc (some containers), by name.
            let mask = UInt32(IN_MODIFY | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF)
            let byDescriptor = "/proc/self/fd/\(descriptor)"
            tracked.watch = try inotify.addWatch(access(byDescriptor, F_OK) == 0 ? byDescriptor : path, mask: mask)
        } catch {
            if !reportedWatchFailure {
                reportedWatchFailure = true
                onEvent(.watchFailed(SystemError(operation: error.operation, path: path, errno: error.errno)))
            }
        }
        return tracked
    }

    func clearSuspectedRewrite() {
        suspectedRewrite = nil
        rewriteCheck?.cancel()
        rewriteCheck = nil
    }

    func drop(_ tracked: inout TrackedFile?) {
        guard let old = tracked else { return }
        if let watch = old.watch { inotify.removeWatch(watch) }
        close(old.descriptor)
        tracked = nil
    }

    /// Reads the file from its position up to the size measured just before, after starting over
    /// if it was rewritten since the last read. `finishing`: the file is about to be dropped for
    /// a newer one, so an undecided "modified without growing" is read as what it nearly always
    /// is, the tail of an append (dropping it unread lost lines: the Fluent Bit rotation scenario).
    func readCurrent(finishing: Bool = false) {
        guard var current = file else { return }
        var status = stat()
        guard fstat(current.descriptor, &status) == 0 else { return }
        let size = Int(status.st_size)
        switch change(current, size: size, modified: status.st_mtim) {
        case .undecided where !finishing:
            return  // nothing to read yet; the position and its time stay as they were
        case .undecided:
            break
        case .rewritten:
            current.offset = 0
            current.fingerprint = []
            sink.restart()
            onEvent(.truncated)
        case .appendedOrNone:
            break
        }
        clearSuspectedRewrite()
        current.written = false
        current.modified = status.st_mtim
        raceHook?(.beforeReading)
        if chunk.count != chunkSize { chunk = [UInt8](repeating: 0, count: chunkSize) }
        let start = current.offset
        while current.offset < size {
            let wanted = min(chunk.count, size - current.offset)
            let count = chunk.withUnsafeMutableBytes { pread(current.descriptor, $0.baseAddress, wanted, off_t(current.offset)) }
            if count < 0 {
                if errno == EINTR { continue }
                onEvent(.readFailed(SystemError(operation: "read", path: path, errno: errno)))
                break
            }
            if count == 0 { break }  // truncated meanwhile: the next look starts over
            current.offset += count
            chunk.withUnsafeBytes { sink.consume(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
        }
        if current.offset != start {
            let length = min(Self.fingerprintLength, current.offset)
            current.fingerprint = [UInt8](repeating: 0, count: length)
            let got = current.fingerprint.withUnsafeMutableBytes { pread(current.descriptor, $0.baseAddress, length, off_t(current.offset - length)) }
            if got != length { current.fingerprint = [] }
        }
        file = current
    }

    /// How the file changed since the position was taken.
    enum Change { case appendedOrNone, rewritten, undecided }

    /// Rewritten: shorter than what was read; or the bytes before the position changed; or
    /// written to without growing, still so after `rewriteGrace`.
    ///
    /// Why the grace: a write sets the modification time *before* it copies its bytes and moves
    /// the size, so a look in the middle of an append sees "modified, same size" exactly like an
    /// identical rewrite. The append ends within microseconds and reports itself (`IN_MODIFY`);
    /// a rewrite stays as it is. So the same observation, unchanged after the grace, decides.
    func change(_ current: TrackedFile, size: Int, modified: timespec) -> Change {
        if size < current.offset { return .rewritten }
        if current.offset == 0 { return .appendedOrNone }
        if size == current.offset && current.written && !Self.same(modified, current.modified) {
            if let suspected = suspectedRewrite, Self.same(suspected.modified, modified) {
                return suspected.graceOver ? .rewritten : .undecided
            }
            suspectedRewrite = (modified, false)
            rewriteCheck?.cancel()
            let timer = DispatchSource.makeTimerSource(queue: queue)
            timer.schedule(deadline: .now() + rewriteGrace)
            timer.setEventHandler { [weak self] in
                self?.suspectedRewrite?.graceOver = true
                self?.sync()
            }
            timer.resume()
            rewriteCheck = timer
            return .undecided
        }
        guard !current.fingerprint.isEmpty else { return .appendedOrNone }
        var now = [UInt8](repeating: 0, count: current.fingerprint.count)
        let start = current.offset - current.fingerprint.count
        let count = now.withUnsafeMutableBytes { pread(current.descriptor, $0.baseAddress, $0.count, off_t(start)) }
        return count == now.count && now != current.fingerprint ? .rewritten : .appendedOrNone
    }

    static func same(_ a: timespec, _ b: timespec) -> Bool { a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec }
}

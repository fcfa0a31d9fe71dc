import ReconnectPolicy
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
/// Design: every inotify event about the file, its name, a directory on the way to it or a queue
/// overflow only says "look again". `sync()` then compares what is on disk with what it holds and
/// reads whatever is new. Deciding from state rather than from event sequences makes coalesced
/// events, split rename pairs, `IN_IGNORED` and `IN_Q_OVERFLOW` harmless. The state is:
///
/// - **The file being read**, with the position read up to and the file's size and modification
///   time (nanoseconds) taken by one `fstat` *before* reading up to exactly that size: the
///   kernel's own record of what the read covered.
///   - Grown: read on from the position.
///   - Shorter than the position (copytruncate, `> file`): read again from the start.
///   - Same size but modified after the position was taken (truncated and rewritten with the very
///     same bytes, a developer's `echo … > server.log`), or the bytes before the position changed:
///     read again from the start. Only a write counts (`IN_MODIFY` on the file): `touch`, which
///     sets the time without writing, never replays content already read.
/// - **The file the name points to now**, when it is another one (rotation, delete + create):
///   opened, then watched through its descriptor, then measured, in that order, so no write to it
///   can fall between a look and its watch. The old file is read to its end and kept while the new
///   one is still empty and the old one still has a name — a server that has not reopened its log
///   writes on there — and dropped for the new one as soon as that has data. A newer file under the
///   name replaces an older one waiting in that role.
/// - **The directories**: see `DirectoryWatches` (a directory removed and created again is watched
///   again; a missing one is waited for from its nearest existing ancestor).
/// - A symlinked path: the link's directory and the target's directory are both watched.
///
/// Threading: all state is confined to `queue` (serial); the sink and `onEvent` are called on it.
public final class LogFollower: @unchecked Sendable {
    public enum Event: Sendable, Equatable {
        /// The file does not exist (yet); its directory does. We wait for it to appear.
        case waitingForFile
        /// A directory on the way to the file does not exist (yet): the first missing one, ending in `/`.
        case waitingForDirectory(String)
        /// The path names something that cannot be followed; we wait until it can.
        case unusable(Problem)
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
        /// The kernel refused a watch while running (the inotify watch limit); changes under that
        /// path may go unseen until the next event elsewhere.
        case watchFailed(SystemError)
    }

    /// Why the path cannot be followed.
    public enum Problem: Sendable, Equatable {
        case isDirectory
        case notRegularFile
        case permissionDenied
    }

    /// Points in `sync()` where a test may act, to pin down races deterministically.
    public enum RacePoint: Sendable {
        /// The name's new file is open; its watch is not armed yet.
        case beforeWatchingNewFile
        /// The file's size and time are taken; its bytes are not read yet.
        case beforeReading
        /// The file read is up to date; what the name points at is not looked at yet.
        case beforeLookingAtTheName
    }

    public let path: String
    let queue: DispatchQueue
    let sink: LogSink
    let onEvent: (Event) -> Void
    let chunkSize: Int

    let inotify: Inotify
    var source: DispatchSourceRead?
    var directories: DirectoryWatches
    /// The first directory on the way to the log that does not exist, as of the last `arm`.
    var missingDirectory: String?
    /// The file being read.
    var file: TrackedFile?
    /// The file the name points to now, while `file` (the old one) is still drained.
    var successor: TrackedFile?
    var nameGone = false
    /// The last waiting state reported (waiting for the file or a directory, unusable), so each is said once.
    var reportedWait: Event?
    var reportedWatchFailure = false
    var chunk: [UInt8] = []
    /// "Modified without growing" seen at this time, to be confirmed after the grace.
    var suspectedRewrite: (modified: timespec, graceOver: Bool)?
    var rewriteCheck: DispatchSourceTimer?
    /// How long "modified without growing" must hold to count as a rewrite (see `change`).
    let rewriteGrace: DispatchTimeInterval
    /// Called at each `RacePoint` (tests only).
    public var raceHook: ((RacePoint) -> Void)?

    static let fingerprintLength = 64

    public init(path: String, queue: DispatchQueue, sink: LogSink, chunkSize: Int = 256 * 1024, rewriteGrace: DispatchTimeInterval = .milliseconds(100),
                onEvent: @escaping (Event) -> Void) throws(SystemError) {
        self.rewriteGrace = rewriteGrace
        self.path = path
        self.queue = queue
        self.sink = sink
        self.onEvent = onEvent
        self.chunkSize = chunkSize
        inotify = try Inotify()
        directories = DirectoryWatches(inotify: inotify)
    }

    /// Arms the watches, reads the existing content, reports `.caughtUp`, and starts following.
    /// Must be called on `queue`. Throws only when the kernel refuses the watches (inotify limits);
    /// a missing file or directory is waited for.
    public func start() throws(SystemError) {
        dispatchPrecondition(condition: .onQueue(queue))
        try look()
        onEvent(.caughtUp)
        // Made only now: a source never resumed must not be released (libdispatch traps). Events
        // queued since the look make the descriptor readable at once.
        let source = DispatchSource.makeReadSource(fileDescriptor: inotify.fileDescriptor, queue: queue)
        source.setEventHandler { [weak self] in self?.inotifyReadable() }
        self.source = source
        source.resume()
    }

    /// Stops following; closes the files. Must be called on `queue`.
    public func stop() {
        source?.cancel()
        source = nil
        clearSuspectedRewrite()
        drop(&successor)
        drop(&file)
    }

    deinit {
        for tracked in [file, successor].compactMap({ $0 }) { close(tracked.descriptor) }
    }

    /// How many descriptors and watches the follower holds (for leak checks).
    public var resourceCount: (files: Int, watches: Int) {
        let files = [file, successor].compactMap { $0 }
        return (files.count, directories.count + files.count)
    }

    // MARK: Events

    func inotifyReadable() {
        var relevant = false
        var overflow = false
        var directoriesChanged = false
        inotify.drain { event in
            if event.isOverflow { overflow = true }
            if event.watch == file?.watch {
                relevant = true
                if event.mask & UInt32(IN_MODIFY) != 0 { file?.written = true }
            } else if event.watch == successor?.watch {
                relevant = true
            } else if directories.matters(watch: event.watch, name: event.name) {
                relevant = true
                directoriesChanged = true
            }
            // A dropped watch is forgotten, and the look that follows sets it again on whatever the
            // path names now (a directory made again may even have the old inode number).
            if event.mask & UInt32(IN_IGNORED) != 0 { directories.forget(event.watch) }
        }
        if overflow {
            file?.written = true  // any write may have been among the lost events
            onEvent(.overflowed)
        }
        if relevant || overflow { sync(armingDirectories: directoriesChanged || overflow) }
    }

    /// Compares the file system with what is held and reads what is new. Idempotent.
    /// `armingDirectories`: false when only the files' own watches spoke (a write, the common case):
    /// nothing on the way to the log changed, so its directories are not looked at again.
    func sync(armingDirectories: Bool = true) {
        do {
            try look(armingDirectories: armingDirectories)
        } catch {
            if !reportedWatchFailure {
                reportedWatchFailure = true
                onEvent(.watchFailed(error))
            }
        }
    }

    func look(armingDirectories: Bool = true) throws(SystemError) {
        if armingDirectories {
            var files = [path]
            if let target = symlinkTarget() { files.append(target) }
            missingDirectory = try directories.arm(for: files)
            reportedWatchFailure = false
        }
        if file != nil { readCurrent() }
        raceHook?(.beforeLookingAtTheName)
        switch NameState(path) {
        case .file(let identity):
            if let file, file.identity == identity {
                drop(&successor)  // renamed back, or a newer file that was removed again
                nameGone = false
                reportedWait = nil
                return
            }
            if let waiting = successor, waiting.identity != identity { retireSuccessor() }
            if successor == nil { successor = openNamed() }
            guard let next = successor else { return }
            // Switch when the new file has data, when there is no old file, or when nobody can
            // write to the old one any more.
            guard file == nil || next.hasData || !(file?.stillLinked ?? false) else { return }
            promoteSuccessor()
        case .missing:
            retireSuccessor()
            if file != nil {
                if !nameGone {
                    nameGone = true
                    onEvent(.removed)
                }
            } else {
                report(missingDirectory.map(Event.waitingForDirectory) ?? .waitingForFile)
            }
        case .unusable(let problem):
            retireSuccessor()
            report(.unusable(problem))
            if file != nil && !nameGone {
                nameGone = true
                onEvent(.removed)
            }
        }
    }

    /// The successor becomes the file read (from its start); the old file is finished.
    func promoteSuccessor() {
        guard let next = successor else { return }
        let replacing = file != nil
        if replacing { readCurrent(finishing: true) }  // what reached the old file since the last read
        drop(&file)
        file = next
        successor = nil
        nameGone = false
        reportedWait = nil
        sink.restart()
        onEvent(replacing ? .replaced : .opened)
        readCurrent()
    }

    /// The name no longer points at the successor (rotated again, removed): one that got lines
    /// meanwhile is read before anything newer, so no start written there is skipped; an empty
    /// one is dropped.
    func retireSuccessor() {
        guard let waiting = successor else { return }
        if waiting.hasData { promoteSuccessor() } else { drop(&successor) }
    }

    func report(_ wait: Event) {
        guard reportedWait != wait else { return }
        reportedWait = wait
        onEvent(wait)
    }

    /// The target of `path` when `path` is a symlink (it may not exist yet), so that its
    /// directories are watched too; a relinked path is seen through the link's own directory.
    func symlinkTarget() -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink(path, &buffer, buffer.count - 1)
        guard length > 0 else { return nil }
        let target = String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return target.hasPrefix("/") ? target : PathText.split(path).directory + "/" + target
    }
}

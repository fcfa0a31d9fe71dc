import Dispatch
import ReconnectPolicy
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Says when a small file (a configuration such as the server's `server.toml`) may have changed:
/// written in place (`IN_CLOSE_WRITE`: once the writer closes it, so never half-written), replaced
/// by a rename (how editors and `sed -i` save), removed, or created with its folder after the
/// watch began (the folder and its ancestors are watched like the log's, `DirectoryWatches`).
/// The owner reads the file again and decides whether what it says changed.
///
/// Threading: confined to `queue`; `onChange` is called on it. No timer: it sleeps until the
/// kernel reports an event about the file's name or a folder on its way.
final class WatchedFile: @unchecked Sendable {
    let path: String
    private let queue: DispatchQueue
    private let onChange: () -> Void
    private let inotify: Inotify
    private var directories: DirectoryWatches
    private var source: DispatchSourceRead?
    /// The file's creation is a change by itself: for a socket (the Docker engine's), which is
    /// never written and closed.
    private let creationIsChange: Bool

    init(path: String, queue: DispatchQueue, creationIsChange: Bool = false, onChange: @escaping () -> Void) throws(SystemError) {
        self.path = path
        self.queue = queue
        self.creationIsChange = creationIsChange
        self.onChange = onChange
        inotify = try Inotify()
        directories = DirectoryWatches(inotify: inotify, extraMask: UInt32(IN_CLOSE_WRITE))
    }

    /// Arms the watches. Throws only when the kernel refuses a watch (inotify limits).
    func start() throws(SystemError) {
        dispatchPrecondition(condition: .onQueue(queue))
        _ = try directories.arm(for: [path])
        let source = DispatchSource.makeReadSource(fileDescriptor: inotify.fileDescriptor, queue: queue)
        source.setEventHandler { [weak self] in self?.eventsArrived() }
        self.source = source
        source.resume()
    }

    func stop() {
        source?.cancel()
        source = nil
    }

    private func eventsArrived() {
        var relevant = false
        let name = PathText.split(path).name
        inotify.drain { event in
            if event.mask & UInt32(IN_IGNORED) != 0 { directories.forget(event.watch) }
            // The file's own IN_CREATE is not a change yet: its content follows, and its
            // IN_CLOSE_WRITE says when it is complete.
            let fileCreated = !creationIsChange && event.name == name && event.mask & UInt32(IN_CREATE) != 0
            if event.isOverflow || event.mask & UInt32(IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF) != 0
                || (directories.matters(watch: event.watch, name: event.name) && !fileCreated) {
                relevant = true
            }
        }
        guard relevant else { return }
        // Folders removed or created on the way: watch what the path names now.
        _ = try? directories.arm(for: [path])
        onChange()
    }
}

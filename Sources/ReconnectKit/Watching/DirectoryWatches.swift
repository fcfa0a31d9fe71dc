import ReconnectPolicy
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The directory watches a followed path needs, derived from the file system each time they are
/// asked for rather than kept up to date from events: the watch on a directory that was removed,
/// renamed or replaced is dropped and set on whatever the path names now, and a directory that
/// does not exist is waited for from its existing ancestors (`tail -F` does the same).
///
/// Why every ancestor, not only the log's directory: a directory's own `IN_DELETE_SELF` comes only
/// when its last reference goes, and the follower deliberately keeps a deleted log open (its
/// writer may still write there), which keeps the log's directory, and all above it, referenced.
/// `rm -r logs; mkdir logs` would then go unseen. The parent's `IN_DELETE` for the name comes at
/// once. Events about other names in those directories wake the follower only to be ignored.
///
/// Why derived: `IN_IGNORED`, `IN_DELETE_SELF` and `IN_MOVE_SELF` can be coalesced, split, delayed
/// or arrive after the directory was created again (with its old inode number, on ext4);
/// comparing the device and inode that a path names now with the one watched misses none of them.
struct DirectoryWatches {
    /// One armed watch: the directory it was set on, by path and identity, and the child names
    /// whose events matter (the next component on the way to each followed file).
    private struct Watch {
        var descriptor: Int32
        var identity: FileIdentity
        var interest: Set<String>
    }

    private let inotify: Inotify
    private let mask: UInt32
    private var watches: [String: Watch] = [:]

    /// - Parameter extraMask: more events to watch for, e.g. `IN_CLOSE_WRITE` to learn of a file
    ///   rewritten in place (`WatchedFile`).
    init(inotify: Inotify, extraMask: UInt32 = 0) {
        self.inotify = inotify
        mask = Self.mask | extraMask
    }

    static let mask = UInt32(IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)

    /// Whether an event on `watch` about `name` can change what the followed paths name.
    func matters(watch: Int32, name: String) -> Bool {
        watches.values.contains { $0.descriptor == watch && (name.isEmpty || $0.interest.contains(name)) }
    }

    /// The watch was dropped by the kernel (`IN_IGNORED`): forget it, so the next `arm` sets it again.
    mutating func forget(_ watch: Int32) {
        for (path, armed) in watches where armed.descriptor == watch { watches[path] = nil }
    }

    var count: Int { Set(watches.values.map(\.descriptor)).count }

    /// Watches every existing directory on the way to each file in `files`.
    ///
    /// - Returns: the deepest directory that does not exist yet (with a trailing slash), if any.
    /// - Throws: when the kernel refuses a watch for lack of watches or memory (`ENOSPC`,
    ///   `ENOMEM`); a directory that cannot be read is skipped (its parent's watch sees it fixed).
    mutating func arm(for files: [String]) throws(SystemError) -> String? {
        var wanted: [String: Set<String>] = [:]
        var missing: String?
        for file in files {
            var (directory, interest) = PathText.split(file)
            while true {
                if let identity = FileIdentity(path: directory) {
                    if identity.isDirectory, try watch(directory, identity: identity) { wanted[directory, default: []].insert(interest) }
                } else if missing == nil {
                    missing = directory.hasSuffix("/") ? directory : directory + "/"
                }
                let parent = PathText.split(directory)
                guard parent.directory != directory else { break }  // at "/" or "."
                (directory, interest) = parent
            }
        }
        for (path, armed) in watches {
            if let interest = wanted[path] {
                watches[path]?.interest = interest
            } else {
                release(path, armed)
            }
        }
        return missing
    }

    /// Keeps the watch on `directory` if it is still on this very directory, else sets it anew.
    /// False when the directory may not be watched (not readable).
    private mutating func watch(_ directory: String, identity: FileIdentity) throws(SystemError) -> Bool {
        if let armed = watches[directory] {
            if armed.identity == identity { return true }
            release(directory, armed)
        }
        do {
            let descriptor = try inotify.addWatch(directory, mask: mask)
            watches[directory] = Watch(descriptor: descriptor, identity: identity, interest: [])
            return true
        } catch {
            if error.errno == ENOSPC || error.errno == ENOMEM { throw error }
            return false  // EACCES, or the directory vanished meanwhile
        }
    }

    /// Forgets the watch on `path`; removes it from the kernel unless another path shares it (a
    /// directory reached by two names has one watch).
    private mutating func release(_ path: String, _ armed: Watch) {
        watches[path] = nil
        if !watches.values.contains(where: { $0.descriptor == armed.descriptor }) { inotify.removeWatch(armed.descriptor) }
    }
}

/// A file's identity: device and inode (and whether it is a directory).
struct FileIdentity: Equatable {
    var device: UInt64
    var inode: UInt64
    var isDirectory: Bool

    init(_ status: stat) {
        device = UInt64(status.st_dev)
        inode = UInt64(status.st_ino)
        isDirectory = (status.st_mode & S_IFMT) == S_IFDIR
    }

    /// What `path` names now (following symlinks), or nil.
    init?(path: String) {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        self.init(status)
    }
}

/// Splitting paths as text (no file-system access).
public enum PathText {
    /// `/a/b/c` → (`/a/b`, `c`); `c` → (`.`, `c`); `/c` → (`/`, `c`).
    public static func split(_ path: String) -> (directory: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let directory = slash == path.startIndex ? "/" : String(path[..<slash])
        return (directory, String(path[path.index(after: slash)...]))
    }

    /// A path as a user means it: `~/x` under `home`, and a relative path under `directory`
    /// (nil: left relative).
    public static func resolved(_ path: String, home: String?, directory: String? = nil) -> String {
        if path == "~" || path.hasPrefix("~/"), let home, home.hasPrefix("/") { return home + path.dropFirst() }
        if !path.hasPrefix("/"), !path.isEmpty, let directory { return (directory == "/" ? "" : directory) + "/" + path }
        return path
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The directory watches a followed path needs, derived from the file system each time they are
/// asked for rather than kept up to date from events: the watch on a directory that was removed,
/// renamed or replaced is dropped and set on whatever the path names now, and a directory that
/// does not exist is waited for from its nearest existing ancestor (`tail -F` does the same).
///
/// Why derived: `IN_IGNORED`, `IN_DELETE_SELF` and `IN_MOVE_SELF` can be coalesced, split or
/// arrive after the directory was created again; comparing the device and inode that a path
/// names now with the one watched cannot miss any of those sequences.
struct DirectoryWatches {
    /// One armed watch: the directory it was set on, by path and identity, and the child name whose
    /// events matter (the log's own name, or the next missing directory on the way to it).
    private struct Watch {
        var descriptor: Int32
        var identity: FileIdentity
        var interest: String
    }

    private let inotify: Inotify
    private var watches: [String: Watch] = [:]

    init(inotify: Inotify) { self.inotify = inotify }

    static let mask = UInt32(IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)

    /// Whether an event on `watch` about `name` can change what the followed path names.
    func matters(watch: Int32, name: String) -> Bool {
        watches.values.contains { $0.descriptor == watch && (name.isEmpty || name == $0.interest) }
    }

    /// The watch was dropped by the kernel (`IN_IGNORED`): forget it, so the next `arm` sets it again.
    mutating func forget(_ watch: Int32) {
        for (path, armed) in watches where armed.descriptor == watch { watches[path] = nil }
    }

    var count: Int { Set(watches.values.map(\.descriptor)).count }

    /// Watches the directory of each file in `files`, or its nearest existing ancestor.
    ///
    /// - Returns: the first directory that does not exist yet (with a trailing slash), if any.
    /// - Throws: when the kernel refuses a watch for lack of watches or memory (`ENOSPC`,
    ///   `ENOMEM`); a directory that cannot be read or searched is waited for from its parent.
    mutating func arm(for files: [String]) throws(SystemError) -> String? {
        var wanted: [String: String] = [:]
        var missing: String?
        for file in files {
            var (directory, interest) = PathText.split(file)
            // Walk up until a directory exists and can be watched.
            while true {
                if let identity = FileIdentity(path: directory), identity.isDirectory,
                   try watch(directory, identity: identity, interest: interest) {
                    wanted[directory] = interest
                    break
                }
                if missing == nil, FileIdentity(path: directory) == nil { missing = directory.hasSuffix("/") ? directory : directory + "/" }
                let parent = PathText.split(directory)
                guard parent.directory != directory else { break }  // at "/" or "."
                (directory, interest) = parent
            }
        }
        for (path, armed) in watches where wanted[path] == nil {
            if !watches.contains(where: { $0.key != path && $0.value.descriptor == armed.descriptor }) { inotify.removeWatch(armed.descriptor) }
            watches[path] = nil
        }
        return missing
    }

    /// Keeps the watch on `directory` if it is still on this very directory, else sets it anew.
    /// False when the directory may not be watched (not readable): its parent is watched instead.
    private mutating func watch(_ directory: String, identity: FileIdentity, interest: String) throws(SystemError) -> Bool {
        if let armed = watches[directory], armed.identity == identity {
            watches[directory]?.interest = interest
            return true
        }
        if let old = watches[directory] {
            if !watches.contains(where: { $0.key != directory && $0.value.descriptor == old.descriptor }) { inotify.removeWatch(old.descriptor) }
            watches[directory] = nil
        }
        do {
            let descriptor = try inotify.addWatch(directory, mask: Self.mask)
            watches[directory] = Watch(descriptor: descriptor, identity: identity, interest: interest)
            return true
        } catch {
            if error.errno == ENOSPC || error.errno == ENOMEM { throw error }
            return false  // EACCES, or the directory vanished meanwhile: wait from its parent
        }
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
}

import ReconnectPolicy
import CShims
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Where a per-user installation puts its files (the user unit's `%h` and `%E` paths).
public struct UserPaths: Sendable {
    public var binary: String
    public var unit: String
    public var configDirectory: String
    public var config: String { configDirectory + "/config.toml" }
    public var password: String { configDirectory + "/password" }

    /// `~/.local/bin/altv-reconnectd`, `$XDG_CONFIG_HOME/systemd/user/altv-reconnectd.service`
    /// and `$XDG_CONFIG_HOME/altv-reconnectd/` (`~/.config` without XDG_CONFIG_HOME).
    public init?(environment: [String: String]) {
        guard let home = environment["HOME"], home.hasPrefix("/") else { return nil }
        let config = environment["XDG_CONFIG_HOME"].flatMap { $0.hasPrefix("/") ? $0 : nil } ?? home + "/.config"
        binary = home + "/.local/bin/altv-reconnectd"
        unit = config + "/systemd/user/altv-reconnectd.service"
        configDirectory = config + "/altv-reconnectd"
    }
}

/// An installation step that could not be done (exit 73, EX_CANTCREAT).
public struct InstallError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// `altv-reconnectd install --user` / `uninstall --user`: puts the binary, the user unit and a
/// starter configuration where the unit expects them, and tells the user manager. Both are
/// idempotent: a second run changes nothing and says so. The user's configuration and password
/// are never overwritten, and kept on uninstall unless `purge`.
public struct Installer {
    public var paths: UserPaths
    /// This executable (copied to `paths.binary`).
    public var executable: String
    /// Runs `systemctl --user ARGS`; returns its exit status.
    public var systemctl: ([String]) -> Int32

    public static let unitName = "altv-reconnectd.service"

    public init(paths: UserPaths, executable: String = "/proc/self/exe", systemctl: @escaping ([String]) -> Int32 = Installer.runSystemctl) {
        self.paths = paths
        self.executable = executable
        self.systemctl = systemctl
    }

    /// The unit as shipped in systemd/ (embedded at build time).
    public static var userUnit: String { String(cString: altv_user_unit()) }
    public static var templateUnit: String { String(cString: altv_template_unit()) }

    /// Installs; returns the lines to print. `starterConfig` is written only when no
    /// configuration exists yet.
    public func install(starterConfig: String) throws(InstallError) -> [String] {
        var lines: [String] = []
        let binary = try FileSystem.read(executable, what: "this program")
        let program = try FileSystem.put(binary, at: paths.binary, mode: 0o755, what: "program")
        let unit = try FileSystem.put(Array(Self.userUnit.utf8), at: paths.unit, mode: 0o644, what: "user unit")
        lines += [program.line, unit.line]
        if access(paths.config, F_OK) == 0 {
            lines.append("kept     configuration \(paths.config) (yours; not overwritten)")
        } else {
            lines.append(try FileSystem.put(Array(starterConfig.utf8), at: paths.config, mode: 0o644, what: "configuration").line)
        }
        lines.append(access(paths.password, F_OK) == 0
            ? "kept     password file \(paths.password)"
            : "note     no password file: if the server has a password, put it in \(paths.password) (chmod 600)")
        lines += reloadManager()
        lines.append("")
        lines.append("Enable and start it:  systemctl --user enable --now altv-reconnectd")
        lines.append("Then follow it:       systemctl --user status altv-reconnectd; journalctl --user -u altv-reconnectd -f")
        if (program.replaced || unit.replaced) && systemctl(["--quiet", "is-active", Self.unitName]) == 0 {
            lines.append("It is running: restart it to use what changed:  systemctl --user restart altv-reconnectd")
        }
        return lines
    }

    /// Stops, disables and removes the unit and the program; the configuration and password
    /// stay unless `purge`.
    public func uninstall(purge: Bool) throws(InstallError) -> [String] {
        var lines: [String] = []
        if access(paths.unit, F_OK) == 0 && systemctl(["disable", "--now", "--quiet", Self.unitName]) == 0 {
            lines.append("stopped  \(Self.unitName) and disabled it")
        }
        lines.append(try FileSystem.remove(paths.unit, what: "user unit"))
        lines.append(try FileSystem.remove(paths.binary, what: "program"))
        if purge {
            lines.append(try FileSystem.remove(paths.config, what: "configuration"))
            lines.append(try FileSystem.remove(paths.password, what: "password file"))
            rmdir(paths.configDirectory)
        } else if access(paths.config, F_OK) == 0 || access(paths.password, F_OK) == 0 {
            lines.append("kept     your settings in \(paths.configDirectory) (uninstall --user --purge removes them)")
        }
        lines += reloadManager()
        return lines
    }

    private func reloadManager() -> [String] {
        if systemctl(["daemon-reload"]) == 0 { return ["reloaded the user manager (systemctl --user daemon-reload)"] }
        return ["note     could not reach your user manager: run 'systemctl --user daemon-reload' in your login session"]
    }

    /// `systemctl --user ARGS`, output passed through; 127 when it cannot be started.
    public static func runSystemctl(_ arguments: [String]) -> Int32 {
        Subprocess.run(["systemctl", "--user"] + arguments).status
    }
}

/// The few file operations installing needs, each saying what it did in one line.
enum FileSystem {
    static func read(_ path: String, what: String) throws(InstallError) -> [UInt8] {
        do { return try WholeFile.read(path) } catch { throw InstallError("cannot read \(what) \(path): \(String(cString: strerror(error.errno)))") }
    }

    /// What `put` did: the line to print, and whether an existing file changed (a running
    /// service then needs a restart).
    struct Written {
        var line: String
        var replaced = false
    }

    /// Writes `bytes` at `path` (through a temporary file and rename) unless it already holds them.
    static func put(_ bytes: [UInt8], at path: String, mode: mode_t, what: String) throws(InstallError) -> Written {
        let existing = access(path, F_OK) == 0 ? try? read(path, what: what) : nil
        if existing == bytes {
            chmod(path, mode)
            return Written(line: "current  \(what) \(path)")
        }
        try makeDirectories(parent(of: path))
        let temporary = path + ".new"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { throw InstallError("cannot write \(what) \(path): \(reason()); check the directory's permissions") }
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else {
                let message = reason()
                close(fd)
                unlink(temporary)
                throw InstallError("cannot write \(what) \(path): \(message)")
            }
            offset += written
        }
        fchmod(fd, mode)
        close(fd)
        guard rename(temporary, path) == 0 else { throw InstallError("cannot write \(what) \(path): \(reason())") }
        return Written(line: (existing == nil ? "wrote    " : "updated  ") + "\(what) \(path)", replaced: existing != nil)
    }

    static func remove(_ path: String, what: String) throws(InstallError) -> String {
        if unlink(path) == 0 { return "removed  \(what) \(path)" }
        if errno == ENOENT { return "absent   \(what) \(path)" }
        throw InstallError("cannot remove \(what) \(path): \(reason())")
    }

    static func makeDirectories(_ path: String) throws(InstallError) {
        guard !path.isEmpty, access(path, F_OK) != 0 else { return }
        try makeDirectories(parent(of: path))
        guard mkdir(path, 0o755) == 0 || errno == EEXIST else { throw InstallError("cannot create directory \(path): \(reason())") }
    }

    static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return "" }
        return String(path[..<slash])
    }

    static func reason() -> String { String(cString: strerror(errno)) }
}

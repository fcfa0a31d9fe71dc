import ReconnectPolicy
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Loads the server password, from the first of: `--password-file PATH`; the systemd
/// credential `password` (`$CREDENTIALS_DIRECTORY/password`, from `LoadCredential=`); the
/// `password` key of the server folder's `server.toml` (`--server-dir`). The first two are the
/// daemon's own and win: they are how a user says "this one".
///
/// Never from the command line or the environment: argv is world-readable in /proc.
/// Trailing CR/LF are stripped (editors add them); an empty file means "no password".
public enum PasswordSource {
    public enum Origin: Sendable, Equatable, CustomStringConvertible {
        case none
        case file(String)
        case credential(String)
        case serverToml(String)

        public var description: String {
            switch self {
            case .none: "none"
            case .file(let path): "file \(path)"
            case .credential(let path): "systemd credential \(path)"
            case .serverToml(let path): path
            }
        }
    }

    /// A password file larger than this is surely the wrong file.
    static let maximumSize = 4096

    /// - Parameter serverToml: the server folder's server.toml, when there is one and it was read.
    public static func load(passwordFile: String?, environment: [String: String],
                            serverToml: (path: String, values: ServerToml)? = nil) throws(ConfigurationError) -> (Secret?, Origin) {
        if let passwordFile {
            return (try readSecret(passwordFile, what: "password-file"), .file(passwordFile))
        }
        if let directory = environment["CREDENTIALS_DIRECTORY"], !directory.isEmpty {
            let path = directory + "/password"
            if access(path, F_OK) == 0 {
                return (try readSecret(path, what: "credential"), .credential(path))
            }
        }
        if let serverToml, let password = serverToml.values.password { return (password, .serverToml(serverToml.path)) }
        return (nil, .none)
    }

    /// A password file others may read, as ssh says of a private key: "password file P is
    /// readable by group and others (mode 0644); chmod 600 P". Nil when only its owner may.
    public static func exposure(of path: String) -> String? {
        var status = stat()
        guard stat(path, &status) == 0, status.st_mode & 0o077 != 0 else { return nil }
        let who = status.st_mode & 0o070 != 0 && status.st_mode & 0o007 != 0 ? "group and others" : status.st_mode & 0o070 != 0 ? "its group" : "others"
        let mode = String(status.st_mode & 0o777, radix: 8)
        return "password file \(path) is readable by \(who) (mode 0\(mode)); chmod 600 \(path)"
    }

    static func readSecret(_ path: String, what: String) throws(ConfigurationError) -> Secret? {
        var bytes: [UInt8]
        do {
            bytes = try WholeFile.read(path, maximumSize: maximumSize)
        } catch where error.errno == EFBIG {
            throw ConfigurationError("\(what) \(path) is larger than \(maximumSize) bytes; it should hold only the server password", errno: EFBIG)
        } catch {
            let hint = error.operation == "open" ? "; create it or make it readable by the daemon's user" : ""
            throw ConfigurationError("cannot read \(what) \(path): \(String(cString: strerror(error.errno)))\(hint)", errno: error.errno)
        }
        var end = bytes.count
        while end > 0 && (bytes[end - 1] == 10 || bytes[end - 1] == 13) { end -= 1 }
        let secret = end == 0 ? nil : Secret(Array(bytes[0..<end]))
        for index in bytes.indices { bytes[index] = 0 }
        return secret
    }
}

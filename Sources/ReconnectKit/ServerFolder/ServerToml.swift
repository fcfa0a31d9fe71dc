import ReconnectPolicy
import TOMLKit
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The alt:V server's folder (`--server-dir`): where its log and its `server.toml` are.
public struct ServerFolder: Sendable, Equatable, CustomStringConvertible {
    public let directory: String

    public init(_ directory: String) {
        var directory = directory
        while directory.count > 1 && directory.hasSuffix("/") { directory.removeLast() }
        self.directory = directory
    }

    /// Where the server writes its log when started without `--logfile` (overwritten per start).
    public var logFile: String { path("server.log") }
    public var serverToml: String { path("server.toml") }
    public var description: String { directory }

    private func path(_ name: String) -> String { directory == "/" ? "/" + name : directory + "/" + name }
}

/// What the daemon uses of the server's `server.toml`: its password (to send with the
/// reconnect when no password file or credential is given), `debug` (the client accepts a
/// reconnect only when it is true on both sides) and `port` (shown; alt:V's default is 7788).
/// Everything else in the file (tables, arrays, the many other keys) is read by the TOML parser
/// and left alone.
public struct ServerToml: Sendable, Equatable {
    /// nil when the file sets none or an empty one.
    public var password: Secret?
    /// nil when the file does not set it (alt:V's default: false).
    public var debug: Bool?
    /// nil when the file does not set it (alt:V's default: 7788).
    public var port: Int?

    public static let defaultPort = 7788

    /// `port 7790`, or that the file sets none (for the start line and `check`).
    public var portShown: String { port.map { "port \($0)" } ?? "no port (alt:V's default: \(Self.defaultPort))" }

    public init(password: Secret? = nil, debug: Bool? = nil, port: Int? = nil) {
        self.password = password
        self.debug = debug
        self.port = port
    }

    /// What reading the file gave. Never fatal: the daemon works without it (with no password
    /// from it) and says why.
    public enum Reading: Sendable, Equatable {
        case read(ServerToml)
        /// There is no server.toml (yet).
        case missing
        /// It exists but cannot be read: the reason (`Permission denied`).
        case unreadable(String)
        /// It is not TOML the daemon can use: the line and the reason.
        case invalid(line: Int, reason: String)

        public var values: ServerToml? {
            if case .read(let values) = self { values } else { nil }
        }
    }

    /// A server.toml larger than this is not one.
    static let maximumSize = 1 << 20

    public static func read(_ path: String) -> Reading {
        var bytes: [UInt8]
        do {
            bytes = try WholeFile.read(path, maximumSize: maximumSize)
        } catch where error.errno == ENOENT || error.errno == ENOTDIR {
            return .missing
        } catch where error.errno == EFBIG {
            return .unreadable("it is larger than \(maximumSize / 1024) KiB")
        } catch {
            return .unreadable(String(cString: strerror(error.errno)))
        }
        defer { for index in bytes.indices { bytes[index] = 0 } }
        return parse(String(decoding: bytes, as: UTF8.self))
    }

    /// Parses server.toml text (full TOML: alt:V's tables and arrays are fine).
    public static func parse(_ text: String) -> Reading {
        if let (line, reason) = ConfigurationFile.textProblem(in: text, compoundValues: true) {
            return .invalid(line: line, reason: reason)
        }
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            return .invalid(line: error.source.begin.line, reason: SystemdNotifier.singleLine(error.description))
        } catch {
            return .invalid(line: 1, reason: SystemdNotifier.singleLine("\(error)"))
        }
        let lines = KeyLines(text)
        var values = ServerToml()
        if let value = table["password"] {
            guard let text = value.string else {
                return .invalid(line: lines.line(of: "password"), reason: "password must be a string, not \(TOMLText.typeName(value))")
            }
            values.password = text.isEmpty ? nil : Secret(Array(text.utf8))
        }
        if let value = table["debug"] {
            guard let flag = value.bool else {
                return .invalid(line: lines.line(of: "debug"), reason: "debug must be true or false, not \(TOMLText.shown(value))")
            }
            values.debug = flag
        }
        if let value = table["port"] {
            guard let port = value.int, (1...65535).contains(port) else {
                return .invalid(line: lines.line(of: "port"), reason: "port must be a port number from 1 to 65535, not \(TOMLText.shown(value))")
            }
            values.port = port
        }
        return .read(values)
    }
}

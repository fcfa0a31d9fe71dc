import ReconnectKit
import ReconnectPolicy
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Appends one JSON object per line to a file, each stamped with CLOCK_MONOTONIC nanoseconds
/// (`t_ns`), so tests and benchmarks can line simulator events up with their own clocks.
/// Each line is one `write(2)` on an `O_APPEND` descriptor: readers never see half a line
/// unless they read mid-write, and then they see a line without its `\n`.
public final class EventLog: @unchecked Sendable {
    private let descriptor: Int32

    public init(path: String) throws(EventLogError) {
        descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw EventLogError(path: path, errno: errno) }
    }

    deinit { close(descriptor) }

    /// `fields` are written in order; values are strings (quoted) or integers.
    public func record(_ type: String, at instant: MonotonicInstant, _ fields: [(String, EventValue)] = []) {
        var line = "{\"t_ns\":\(instant.nanoseconds),\"type\":\(Self.quoted(type))"
        for (key, value) in fields {
            line += ",\(Self.quoted(key)):"
            switch value {
            case .string(let text): line += Self.quoted(text)
            case .int(let number): line += String(number)
            case .bool(let flag): line += flag ? "true" : "false"
            }
        }
        line += "}\n"
        var bytes = Array(line.utf8)
        _ = bytes.withUnsafeMutableBytes { write(descriptor, $0.baseAddress, $0.count) }
    }

    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

public enum EventValue: Sendable {
    case string(String)
    case int(Int)
    case bool(Bool)
}

public struct EventLogError: Error, CustomStringConvertible {
    public var path: String
    public var errno: Int32
    public var description: String { "cannot open --events \(path): \(String(cString: strerror(errno)))" }
}

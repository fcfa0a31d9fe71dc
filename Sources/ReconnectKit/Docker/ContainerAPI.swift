import FoundationEssentials
import ReconnectPolicy

/// The few parts of the Engine API's JSON the daemon reads, and the requests it sends. Decoded
/// with the JSONDecoder that is in the binary anyway (FoundationEssentials, through
/// swift-argument-parser); every field is optional to the decoder, so an engine that adds or
/// drops fields (Podman, older API versions) is still understood.
public enum ContainerAPI {
    /// `GET /containers/NAME/json`, the part that says how the container runs.
    public struct Inspect: Decodable, Sendable, Equatable {
        public struct RunState: Decodable, Sendable, Equatable {
            public var status: String?
            public var running: Bool?
            public var pid: Int32?
            public var exitCode: Int?
            public var startedAt: String?
            public var finishedAt: String?
            enum CodingKeys: String, CodingKey {
                case status = "Status", running = "Running", pid = "Pid", exitCode = "ExitCode", startedAt = "StartedAt", finishedAt = "FinishedAt"
            }
        }
        public struct Settings: Decodable, Sendable, Equatable {
            public var tty: Bool?
            enum CodingKeys: String, CodingKey { case tty = "Tty" }
        }
        public var id: String?
        public var state: RunState?
        public var config: Settings?
        enum CodingKeys: String, CodingKey { case id = "Id", state = "State", config = "Config" }

        public var isRunning: Bool { state?.running ?? false }
        public var hasTTY: Bool { config?.tty ?? false }
        public var pid: Int32 { state?.pid ?? 0 }
        /// The start being run (its `StartedAt`), to tell a start already followed from a new one.
        public var runIdentity: String { "\(id ?? "")@\(state?.startedAt ?? "")" }
        /// When the container last exited, as nanoseconds since 1970; nil when it never has.
        /// While it runs, that is the end of the previous run: its output is what came after.
        public var finishedAtNanoseconds: Int64? { state?.finishedAt.flatMap(ContainerAPI.unixNanoseconds) }
        public var startedAtNanoseconds: Int64? { state?.startedAt.flatMap(ContainerAPI.unixNanoseconds) }
    }

    /// One line of `GET /events`.
    public struct Event: Decodable, Sendable, Equatable {
        public struct Subject: Decodable, Sendable, Equatable {
            public var attributes: [String: String]?
            enum CodingKeys: String, CodingKey { case attributes = "Attributes" }
        }
        public var type: String?
        public var action: String?
        public var actor: Subject?
        public var timeNano: Int64?
        enum CodingKeys: String, CodingKey { case type = "Type", action = "Action", actor = "Actor", timeNano }

        public var exitCode: String? { actor?.attributes?["exitCode"] }
    }

    /// The engine's error body: `{"message":"No such container: altv"}`.
    struct Message: Decodable { var message: String? }

    static func decode<T: Decodable>(_ type: T.Type, _ bytes: some Collection<UInt8>) -> T? {
        try? JSONDecoder().decode(type, from: Data(bytes))
    }

    /// The engine's own words about a failed request, or the status code.
    static func message(_ response: HTTPResponse) -> String {
        decode(Message.self, response.body)?.message ?? "HTTP \(response.statusCode)"
    }

    // MARK: Requests

    /// A Docker container name (`[a-zA-Z0-9][a-zA-Z0-9_.-]*`, as `docker run --name` takes): it
    /// goes into request paths as it is, so nothing else is allowed.
    public static func nameProblem(_ name: String) -> String? {
        let allowed = name.utf8.allSatisfy { $0.isASCIIAlphanumeric || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }
        guard let first = name.utf8.first, first.isASCIIAlphanumeric, allowed else {
            return "a container name is letters, digits and _ . - (starting with a letter or digit), as docker run --name takes it"
        }
        return nil
    }

    static func inspectPath(_ name: String) -> String { "/containers/\(name)/json" }

    /// Container events for this name only (the engine matches the name of whatever container
    /// holds it, so a container removed and created again under the name is still followed).
    static func eventsPath(_ name: String) -> String {
        "/events?filters=" + percentEncoded(#"{"type":["container"],"container":["\#(name)"]}"#)
    }

    /// The output of the run that began after `since` (nanoseconds since 1970; 0: all of it).
    static func logsPath(_ name: String, follow: Bool, since: Int64) -> String {
        let seconds = since / 1_000_000_000, fraction = since % 1_000_000_000
        let fractionText = String(fraction)
        let sinceText = since == 0 ? "0" : "\(seconds).\(String(repeating: "0", count: 9 - fractionText.count))\(fractionText)"
        return "/containers/\(name)/logs?stdout=1&stderr=1&follow=\(follow ? 1 : 0)&since=\(sinceText)"
    }

    static func percentEncoded(_ text: String) -> String {
        var result = ""
        for byte in text.utf8 {
            if byte.isASCIIAlphanumeric || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".") {
                result.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                result += "%" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true)
            }
        }
        return result
    }

    /// `2026-11-22T08:21:09.529442109Z` (RFC 3339 in UTC, as the engine writes its times) as
    /// nanoseconds since 1970; nil for the engine's "never" (`0001-01-01T00:00:00Z`) and for
    /// anything else that is not such a time (or is past 2261).
    public static func unixNanoseconds(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int64? {
            guard range.upperBound <= bytes.count else { return nil }
            var value: Int64 = 0
            for byte in bytes[range] {
                guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int64(byte - UInt8(ascii: "0"))
            }
            return value
        }
        guard bytes.count >= 20, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"), bytes[10] == UInt8(ascii: "T"),
              let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
              let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
              // Nanoseconds since 1970 fit in 64 bits until 2262.
              (1970...2261).contains(year), (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else { return nil }
        var nanoseconds: Int64 = 0
        var index = 19
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            var digits = 0
            while index < bytes.count, let digit = number(index..<(index + 1)) {
                if digits < 9 { nanoseconds = nanoseconds * 10 + digit; digits += 1 }
                index += 1
            }
            for _ in digits..<9 { nanoseconds *= 10 }
        }
        guard index == bytes.count - 1, bytes[index] == UInt8(ascii: "Z") else { return nil }
        // Days from the civil date (Howard Hinnant's algorithm).
        let y = month <= 2 ? year - 1 : year
        let era = y / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        return ((days * 24 + hour) * 60 + minute) * 60 * 1_000_000_000 + second * 1_000_000_000 + nanoseconds
    }
}

extension UInt8 {
    var isASCIIAlphanumeric: Bool {
        (self >= UInt8(ascii: "a") && self <= UInt8(ascii: "z")) || (self >= UInt8(ascii: "A") && self <= UInt8(ascii: "Z"))
            || (self >= UInt8(ascii: "0") && self <= UInt8(ascii: "9"))
    }
}

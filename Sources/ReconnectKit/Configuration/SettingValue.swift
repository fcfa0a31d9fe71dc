import ReconnectPolicy
import TOMLKit

/// A type a setting can hold, read the same way from the command line and the configuration
/// file. Adding a setting of an existing type needs nothing here.
public protocol SettingValue: Sendable, Equatable {
    /// From command-line text; throws the reason, shown after the option's name.
    static func parse(_ text: String) throws(SettingValueError) -> Self
    /// From a configuration file's value; throws the message for the key's line. `valueName` is
    /// the setting's placeholder (`path`, `unit`), for the message.
    static func decode(_ value: TOMLValueConvertible, setting name: String, valueName: String) throws(SettingValueError) -> Self
    /// As shown to a person.
    var shown: String { get }
    /// As written in the starter configuration (TOML).
    var starterText: String { get }
    /// A `--name/--no-name` flag rather than an option with a value.
    static var isFlag: Bool { get }
}

extension SettingValue {
    public static var isFlag: Bool { false }
    public var starterText: String { TOMLText.string(shown) }

    /// The message for a value of the wrong type: "poll-interval must be a duration …, not an array".
    static func wrongType(_ name: String, _ expected: String, _ value: TOMLValueConvertible) -> SettingValueError {
        SettingValueError("\(name) must be \(expected), not \(TOMLText.typeName(value))")
    }
}

/// Paths and unit names.
extension String: SettingValue {
    public static func parse(_ text: String) throws(SettingValueError) -> String { text }
    public static func decode(_ value: TOMLValueConvertible, setting name: String, valueName: String) throws(SettingValueError) -> String {
        guard let text = value.string else { throw wrongType(name, "a string (a \(valueName == "unit" ? "unit name" : valueName))", value) }
        return text
    }
    public var shown: String { self }
}

extension Duration: SettingValue {
    static let expected = "a duration such as \"250ms\", \"2.5s\", \"1m\" or a number of seconds"

    public static func parse(_ text: String) throws(SettingValueError) -> Duration {
        if text.trimmingCharacters(where: \.isWhitespace).hasPrefix("-") { throw SettingValueError("a duration cannot be negative") }
        do { return try DurationText.parse(text) } catch { throw SettingValueError(error.description) }
    }

    public static func decode(_ value: TOMLValueConvertible, setting name: String, valueName: String) throws(SettingValueError) -> Duration {
        if let seconds = value.int { return .seconds(seconds) }
        if let seconds = value.double {
            // Int64(…) traps on what does not fit (1e300); such a value is simply wrong.
            guard let nanoseconds = Int64(exactly: (seconds * 1e9).rounded()) else { throw SettingValueError("\(name) must be \(expected), not \(seconds)") }
            return .nanoseconds(nanoseconds)
        }
        guard let text = value.string else { throw wrongType(name, expected, value) }
        if text.trimmingCharacters(where: \.isWhitespace).hasPrefix("-") { throw SettingValueError("\(name) = \(TOMLText.string(text)): a duration cannot be negative") }
        do { return try DurationText.parse(text) } catch { throw SettingValueError("\(name) must be \(expected), not \"\(text)\"") }
    }

    /// As typed (`250ms`), exactly: `parse` reads it back.
    public var shown: String { DurationText.input(self) }
}

/// TCP ports.
extension UInt16: SettingValue {
    public static func parse(_ text: String) throws(SettingValueError) -> UInt16 {
        guard let port = UInt16(text) else { throw SettingValueError("must be a port number from 1 to 65535") }
        return port
    }

    public static func decode(_ value: TOMLValueConvertible, setting name: String, valueName: String) throws(SettingValueError) -> UInt16 {
        guard let port = value.int else { throw wrongType(name, "a port number from 1 to 65535", value) }
        guard (1...65535).contains(port) else { throw SettingValueError("\(name) must be a port number from 1 to 65535, not \(port)") }
        return UInt16(port)
    }

    public var shown: String { "\(self)" }
    public var starterText: String { shown }
}

/// Flags (`--verbose`, `--no-verbose`).
extension Bool: SettingValue {
    public static func parse(_ text: String) throws(SettingValueError) -> Bool {
        switch text {
        case "true": return true
        case "false": return false
        default: throw SettingValueError("must be true or false")
        }
    }

    public static func decode(_ value: TOMLValueConvertible, setting name: String, valueName: String) throws(SettingValueError) -> Bool {
        guard let flag = value.bool else { throw wrongType(name, "true or false", value) }
        return flag
    }

    public var shown: String { "\(self)" }
    public var starterText: String { shown }
    public static var isFlag: Bool { true }
}

extension LinePattern: SettingValue {
    public static func parse(_ text: String) throws(SettingValueError) -> LinePattern {
        do { return try LinePattern(text) } catch { throw SettingValueError(error.reason) }
    }

    public static func decode(_ value: TOMLValueConvertible, setting name: String, valueName: String) throws(SettingValueError) -> LinePattern {
        guard let text = value.string else { throw wrongType(name, "a string (a regular expression)", value) }
        do { return try LinePattern(text) } catch { throw SettingValueError("\(name): \(error.reason)") }
    }

    public var shown: String { source }
}

extension ClientEndpoint: SettingValue {
    public static func parse(_ text: String) throws(SettingValueError) -> ClientEndpoint {
        do { return try ClientEndpoint(parsing: text) } catch { throw SettingValueError(error.reason + " (example: http://127.0.0.1:9223)") }
    }

    public static func decode(_ value: TOMLValueConvertible, setting name: String, valueName: String) throws(SettingValueError) -> ClientEndpoint {
        guard let text = value.string else { throw wrongType(name, "a string such as \"http://127.0.0.1:9223\"", value) }
        do { return try ClientEndpoint(parsing: text) } catch { throw SettingValueError("\(name): \(error.reason) (example: \"http://127.0.0.1:9223\")") }
    }

    public var shown: String { description }
}

/// TOML text as the configuration file and its errors show it.
enum TOMLText {
    /// A TOML string: TOMLKit writes a literal string when it can, else a basic one with escapes.
    static func string(_ value: String) -> String {
        TOMLTable(["v": value]).convert().trimmingCharacters(where: \.isNewline).dropFirst("v = ".count).description
    }

    /// A scalar value as written in the file, for messages: `250`, `'250'`, `true`.
    static func shown(_ value: TOMLValueConvertible) -> String {
        if let text = value.string { return string(text) }
        if let number = value.int { return "\(number)" }
        if let number = value.double { return "\(number)" }
        if let flag = value.bool { return "\(flag)" }
        return typeName(value)
    }

    static func typeName(_ value: TOMLValueConvertible) -> String {
        switch value.type {
        case .string: "a string"
        case .int: "an integer"
        case .double: "a number"
        case .bool: "a boolean"
        case .array: "an array"
        case .table: "a table"
        case .date, .time, .dateTime: "a date or time"
        }
    }
}

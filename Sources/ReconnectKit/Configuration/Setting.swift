import ReconnectPolicy
import TOMLKit

/// The commands that take a setting on their command line.
public struct SettingCommands: OptionSet, Sendable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }
    public static let run = SettingCommands(rawValue: 1)
    public static let status = SettingCommands(rawValue: 2)
    public static let reconnect = SettingCommands(rawValue: 4)
    /// `install --user` writes it into the starter configuration.
    public static let install = SettingCommands(rawValue: 8)
    public static let clientCommands: SettingCommands = [.run, .status, .reconnect]
}

/// What a reload (SIGHUP) does with a changed setting.
public enum ReloadRule: Sendable {
    /// Applied at once; the current start carries on.
    case applies
    /// Kept until a restart: it says what to watch, and re-arming a source could replay an old
    /// ready line.
    case takesRestart
}

/// One setting, declared once in `SettingsTable`: everything the command line, the configuration
/// file, the starter configuration, validation and the reload diff need to know about it.
public struct Setting<Value: SettingValue>: Sendable {
    /// The long option without dashes and the configuration key: `poll-interval`.
    public let name: String
    /// nil: unset unless given.
    public let defaultValue: Value?
    /// The option's help, without the default (added from `defaultValue`).
    public let help: String
    /// The placeholder in the help: `--poll-interval <duration>`.
    public let valueName: String
    public let commands: SettingCommands
    public let reload: ReloadRule
    /// A value shown, commented out, in the starter configuration when there is no default.
    public let example: Value?
    /// Why a value of the right type is still wrong ("5 ms is shorter than 10 ms"), or nil.
    public let check: @Sendable (Value) -> String?
    /// The plausible values, for the help ("10ms to 60s"), when they are a range.
    public let range: String?

    public init(_ name: String, default defaultValue: Value? = nil, valueName: String, commands: SettingCommands, reload: ReloadRule = .applies,
                example: Value? = nil, help: String, range: String? = nil, check: @escaping @Sendable (Value) -> String? = { _ in nil }) {
        self.name = name
        self.defaultValue = defaultValue
        self.help = help
        self.valueName = valueName
        self.commands = commands
        self.reload = reload
        self.example = example
        self.check = check
        self.range = range
    }
}

extension Setting where Value == Duration {
    /// A duration setting: its range is its check, and the help shows it.
    public init(_ name: String, default defaultValue: Duration, valueName: String = "duration", commands: SettingCommands,
                reload: ReloadRule = .applies, help: String, range: DurationRange) {
        self.init(name, default: defaultValue, valueName: valueName, commands: commands, reload: reload, help: help,
                  range: range.description, check: range.problem)
    }
}

/// A setting of any type, as the table lists it.
public protocol AnySetting: Sendable {
    var name: String { get }
    var commands: SettingCommands { get }
    var reload: ReloadRule { get }
    /// The help line, the default included.
    var helpText: String { get }
    var valueName: String { get }
    var isFlag: Bool { get }
    /// The value in this layer, as it may be shown (never a secret: no setting holds one).
    func shown(in settings: Settings) -> String?
    /// The value in this layer, as the starter configuration writes it (TOML).
    func starterText(in settings: Settings) -> String?
    /// The default or example, as the starter configuration shows it (TOML).
    var starterValue: String? { get }
    /// Typed: `61s` and `61.4s` differ.
    func differs(_ a: Settings, _ b: Settings) -> Bool
    /// The check's complaint about this layer's value, if any.
    func problem(in settings: Settings) -> String?
    /// Sets it from a configuration file's value; throws the message after the key's line.
    func decode(_ value: TOMLValueConvertible, into settings: inout Settings) throws(SettingValueError)
    /// The value in `from` copied into `to`; `clearing`: also when unset in `from`.
    func copy(from: Settings, to: inout Settings, clearing: Bool)
    /// A path setting's value as the user means it (`PathText.resolved`); others untouched.
    func resolvePath(in settings: inout Settings, home: String?, directory: String?)
}

extension Setting: AnySetting {
    public var helpText: String {
        guard let defaultValue, !Value.isFlag else { return help + "." }
        let shown = defaultValue.shown
        return help + " (default \(shown.contains(" ") ? "'\(shown)'" : shown)\(range.map { "; \($0)" } ?? ""))."
    }

    public var isFlag: Bool { Value.isFlag }

    public func shown(in settings: Settings) -> String? { settings[self]?.shown }

    public func starterText(in settings: Settings) -> String? { settings[self]?.starterText }

    public var starterValue: String? { (defaultValue ?? example)?.starterText }

    public func differs(_ a: Settings, _ b: Settings) -> Bool { a[self] != b[self] }

    public func problem(in settings: Settings) -> String? { settings[self].flatMap(check) }

    public func decode(_ value: TOMLValueConvertible, into settings: inout Settings) throws(SettingValueError) {
        settings[self] = try Value.decode(value, setting: name, valueName: valueName)
    }

    public func resolvePath(in settings: inout Settings, home: String?, directory: String?) {
        guard valueName == "path", let path = settings[self] as? String else { return }
        settings[self] = PathText.resolved(path, home: home, directory: directory) as? Value
    }

    public func copy(from: Settings, to: inout Settings, clearing: Bool) {
        if let value = from[self] { to[self] = value } else if clearing { to[self] = nil }
    }
}

/// A setting's value is not one: the text that follows the setting's name in the error.
public struct SettingValueError: Error, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
}

import ArgumentParser
import ReconnectPolicy

/// The command a `SettingOptions` group belongs to.
public protocol SettingCommand {
    static var command: SettingCommands { get }
}

public enum RunCommandSettings: SettingCommand { public static let command = SettingCommands.run }
public enum StatusCommandSettings: SettingCommand { public static let command = SettingCommands.status }
public enum ReconnectCommandSettings: SettingCommand { public static let command = SettingCommands.reconnect }
public enum InstallCommandSettings: SettingCommand { public static let command = SettingCommands.install }

/// The options of `SettingsTable` that `Command` takes, as an argument-parser option group:
/// `@OptionGroup var options: SettingOptions<RunCommandSettings>`, then `options.settings`.
///
/// argument-parser finds a type's options by reflecting an instance (`Mirror(reflecting:)`) and
/// reads them back through `Decodable`. This type answers both from the table: its mirror lists
/// one `Option` (or `Flag`) per setting, labelled by the setting's name, and its decoder reads
/// each back into a `Settings` layer. So a setting declared in the table is an option of every
/// command its declaration names, with its help, its placeholder, its default and its parsing;
/// `help` lists every option (a test in KitTests checks it).
public struct SettingOptions<Command: SettingCommand>: ParsableArguments, CustomReflectable {
    /// What the command line says.
    public private(set) var settings = Settings()
    /// Each option as typed, for the messages, and the reason a value is refused.
    private var given: [String: (text: String, problem: String?)] = [:]

    public init() {}

    static var declared: [any AnySetting] { SettingsTable.all.filter { $0.commands.contains(Command.command) } }

    public var customMirror: Mirror {
        Mirror(self, children: Self.declared.map { (label: $0.name, value: $0.argumentDefinition(for: Command.command)) })
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: SettingCodingKey.self)
        for setting in Self.declared {
            if let typed = try setting.decodeArgument(from: container, into: &settings) { given[setting.name] = typed }
        }
    }

    /// A value that does not parse or is out of range, as a usage error naming the option as
    /// typed: "--poll-interval 250: 250 s is longer than 1 min; did you mean 250ms?".
    public func validate() throws {
        for setting in Self.declared {
            guard let typed = given[setting.name] else { continue }
            if let problem = typed.problem ?? setting.problem(in: settings) {
                throw ValidationError(typed.text.isEmpty ? "--\(setting.name) \(problem)" : "--\(setting.name) \(typed.text): \(problem)")
            }
        }
    }
}

struct SettingCodingKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

/// A `Setting<Value>` as argument-parser sees it (opens the `any AnySetting` of the table).
private protocol ArgumentSetting {
    func definition(for command: SettingCommands) -> Any
    func decode(from container: KeyedDecodingContainer<SettingCodingKey>, into settings: inout Settings) throws -> (text: String, problem: String?)?
}

/// An option's value as typed, parsed or not: the parse never fails inside argument-parser,
/// so that `validate()` words every refusal the same way.
struct Typed<Value: SettingValue>: Sendable {
    var text: String
    var parsed: Result<Value, SettingValueError>
}

extension AnySetting {
    fileprivate func argumentDefinition(for command: SettingCommands) -> Any {
        (self as! any ArgumentSetting).definition(for: command)
    }

    fileprivate func decodeArgument(from container: KeyedDecodingContainer<SettingCodingKey>, into settings: inout Settings) throws -> (text: String, problem: String?)? {
        try (self as! any ArgumentSetting).decode(from: container, into: &settings)
    }
}

extension Setting: ArgumentSetting {
    /// `--name <value>` parsed by the value type, or a `--name/--no-name` flag.
    func definition(for command: SettingCommands) -> Any {
        let text = command == .install ? "Put this in the starter configuration: " + helpText.prefix(1).lowercased() + helpText.dropFirst() : helpText
        if Value.isFlag {
            return Flag<Bool?>(name: .customLong(name), inversion: .prefixedNo, help: ArgumentHelp(text))
        }
        // `.unconditional`: `--poll-interval -1` is a (negative) value, not a missing one.
        return Option<Typed<Value>?>(name: .customLong(name), parsing: .unconditional, help: ArgumentHelp(text, valueName: valueName)) { typed in
            Typed(text: typed, parsed: Result { () throws(SettingValueError) in try Value.parse(typed) })
        }
    }

    func decode(from container: KeyedDecodingContainer<SettingCodingKey>, into settings: inout Settings) throws -> (text: String, problem: String?)? {
        let key = SettingCodingKey(stringValue: name)
        if Value.isFlag {
            settings[self] = try container.decode(Flag<Bool?>.self, forKey: key).wrappedValue as? Value
            return nil
        }
        guard let typed = try container.decode(Option<Typed<Value>?>.self, forKey: key).wrappedValue else { return nil }
        switch typed.parsed {
        case .success(let value):
            settings[self] = value
            return (typed.text, nil)
        case .failure(let error):
            return (typed.text, error.message)
        }
    }
}

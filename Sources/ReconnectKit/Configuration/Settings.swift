import ReconnectPolicy

/// One layer of settings: what the command line says, or what the configuration file says. A
/// setting not set here has no value here; `overriding(_:)` stacks the layers and `resolve`
/// applies the defaults, so the command line wins over the file and the file over the defaults.
///
/// Read and written by declaration: `settings[\.pollInterval]` (a `Duration?`).
public struct Settings: Sendable {
    private var values: [String: any SettingValue] = [:]

    public init() {}

    public subscript<Value>(setting: Setting<Value>) -> Value? {
        get { values[setting.name] as? Value }
        set { values[setting.name] = newValue }
    }

    public subscript<Value>(key: KeyPath<SettingsTable, Setting<Value>>) -> Value? {
        get { self[SettingsTable.shared[keyPath: key]] }
        set { self[SettingsTable.shared[keyPath: key]] = newValue }
    }

    /// This layer's value, else the setting's default.
    public func value<Value>(_ key: KeyPath<SettingsTable, Setting<Value>>) -> Value? {
        self[key] ?? SettingsTable.shared[keyPath: key].defaultValue
    }

    /// This layer on top of `base`: each setting from here when set here, else from `base`.
    public func overriding(_ base: Settings) -> Settings {
        var merged = base
        merged.values.merge(values) { _, mine in mine }
        return merged
    }

    /// Paths as the user means them: `~/` under `home`; relative ones under `directory` when
    /// given (install writes absolute paths; a configuration file's relative ones stay as they are).
    public func resolvingPaths(home: String?, directory: String? = nil) -> Settings {
        var resolved = self
        for setting in SettingsTable.all { setting.resolvePath(in: &resolved, home: home, directory: directory) }
        return resolved
    }

    /// The settings whose values differ between two layers, compared as values (not as text).
    public func changes(from old: Settings) -> [any AnySetting] {
        SettingsTable.all.filter { $0.differs(self, old) }
    }

    /// What to watch is missing or contradictory (checked on the merged layers).
    public func sourceProblem() -> String? {
        let watching = SettingsTable.all.filter { $0.reload == .takesRestart }
        if watching.allSatisfy({ $0.shown(in: self) == nil }) {
            let names = watching.map(\.name)
            return "say what to watch: \(names.dropLast().joined(separator: ", ")) or \(names.last!), on the command line (--\(names[0]) \(watching[0].valueName.uppercased())) or in the configuration file"
        }
        return sourceConflict(optionPrefix: "")
    }

    /// Two sources of ready lines: the daemon would not know which one to believe.
    /// `optionPrefix`: "--" on the command line.
    public func sourceConflict(optionPrefix: String) -> String? {
        let table = SettingsTable.shared
        let given = [(table.logFile.name, self[\.logFile]), (table.journalUnit.name, self[\.journalUnit]), (table.dockerContainer.name, self[\.dockerContainer])]
            .filter { $0.1 != nil }.map { optionPrefix + $0.0 }
        guard given.count > 1 else { return nil }
        return "\(given.dropLast().joined(separator: ", ")) and \(given.last!) both give ready lines; use one of them"
    }

    /// The log file followed: `log-file`, else the server folder's `server.log` (unless the
    /// journal or a container gives the lines).
    public var logFilePath: String? {
        self[\.logFile] ?? (self[\.journalUnit] == nil && self[\.dockerContainer] == nil ? self[\.serverDirectory].map { ServerFolder($0).logFile } : nil)
    }

    /// The lines the daemon recognises, defaults applied.
    public var linePatterns: ServerLinePatterns {
        ServerLinePatterns(ready: value(\.readyPattern)!, crash: value(\.crashPattern)!, shutdown: value(\.shutdownPattern)!,
                           resourceError: value(\.resourceErrorPattern)!)
    }

    /// The client, defaults applied: all `status` needs (no password read).
    public var debugClient: DebugClient { DebugClient(endpoint: value(\.client)!, requestTimeout: value(\.requestTimeout)!) }

    public var reconnectSettings: ReconnectSettings {
        ReconnectSettings(pollInterval: value(\.pollInterval)!, verifyTimeout: value(\.verifyTimeout)!, settleDelay: value(\.settleDelay)!)
    }

    /// The daemon's configuration: defaults applied, the server folder's server.toml and the
    /// password read (`PasswordSource` says in which order). Call `sourceProblem()` first.
    public func resolve(environment: [String: String]) throws(ConfigurationError) -> DaemonConfiguration {
        let folder = self[\.serverDirectory].map(ServerFolder.init)
        let serverToml = folder.map { ServerToml.read($0.serverToml) }
        let (password, origin) = try PasswordSource.load(passwordFile: self[\.passwordFile], environment: environment,
                                                         serverToml: serverToml?.values.map { (folder!.serverToml, $0) })
        var configuration = DaemonConfiguration(
            settings: self, readyDelay: value(\.readyDelay)!,
            readyPort: self[\.readyPort], linePatterns: linePatterns, startTimeout: value(\.startTimeout)!, client: value(\.client)!, password: password, passwordSource: origin,
            requestTimeout: value(\.requestTimeout)!, reconnect: reconnectSettings, serverFolder: folder, serverToml: serverToml
        )
        configuration.keepConnected = value(\.keepConnected)! ? value(\.keepConnectedInterval)! : nil
        return configuration
    }
}

import ArgumentParser
import ReconnectKit
import ReconnectPolicy
import Testing

/// The settings table drives the command line, the configuration file, the starter
/// configuration and the reload diff: each of those is checked here against the table itself,
/// so that a setting added to the table is covered without a new test.
@Suite struct SettingsTableTests {
    /// A value for every setting that differs from its default (so that "set" is visible).
    static var everySettingSet: Settings {
        var settings = Settings()
        settings[\.serverDirectory] = "/srv/altv"
        settings[\.logFile] = "/srv/altv/server.log"
        settings[\.pidFile] = "/srv/altv/server.pid"
        settings[\.journalUnit] = "altv-server.service"
        settings[\.dockerContainer] = "altv-server"
        settings[\.readyPattern] = try! LinePattern("Server started in debug mode")
        settings[\.startTimeout] = .seconds(30)
        settings[\.resourceErrorPattern] = try! LinePattern("Resource (.+) failed")
        settings[\.crashPattern] = try! LinePattern("core dumped")
        settings[\.shutdownPattern] = try! LinePattern("Stopped")
        settings[\.readyDelay] = .milliseconds(1500)
        settings[\.readyPort] = 7788
        settings[\.settleDelay] = .seconds(2)
        settings[\.client] = ClientEndpoint(host: "172.20.0.1", port: 9223)
        settings[\.requestTimeout] = .seconds(3)
        settings[\.pollInterval] = .milliseconds(100)
        settings[\.verifyTimeout] = .seconds(90)
        settings[\.keepConnected] = true
        settings[\.keepConnectedInterval] = .seconds(10)
        settings[\.passwordFile] = "/etc/altv-reconnectd/password"
        settings[\.verbose] = true
        return settings
    }

    @Test func theSampleSetsEverySetting() {
        let unset = SettingsTable.all.filter { $0.shown(in: Self.everySettingSet) == nil }.map(\.name)
        #expect(unset.isEmpty, "add \(unset) to everySettingSet")
    }

    /// The reload diff compares values: `61s` → `61.4s` is a change (it used to compare the
    /// display text, "1 min 1 s" both, and say "no setting changed" while applying it).
    @Test func theReloadDiffComparesValues() {
        var old = Settings()
        old[\.verifyTimeout] = .seconds(61)
        var new = old
        new[\.verifyTimeout] = .milliseconds(61_400)
        #expect(new.changes(from: old).map(\.name) == ["verify-timeout"])
        #expect(old.changes(from: old).isEmpty)
        var pattern = old
        pattern[\.readyPattern] = try! LinePattern("Server started")
        #expect(pattern.changes(from: old).map(\.name) == ["ready-pattern"], "set to its default is still a change of the layer")
    }

    @Test func whatToWatchTakesARestartAndTheRestApplies() {
        let restart = SettingsTable.all.filter { $0.reload == .takesRestart }.map(\.name)
        #expect(restart == ["server-dir", "log-file", "pid-file", "journal-unit", "docker-container"])
    }

    /// The starter configuration written with every setting reads back as the same settings,
    /// and without any it parses (every line commented) and names what is missing.
    @Test func theStarterConfigurationRoundTrips() throws {
        let given = Self.everySettingSet
        let text = StarterConfig.text(given)
        let read = try ConfigurationFile.parse(text, path: "config.toml")
        #expect(read.changes(from: given).isEmpty, "\(read.changes(from: given).map(\.name))\n\(text)")
        let empty = StarterConfig.text(Settings())
        #expect(try ConfigurationFile.parse(empty, path: "c").changes(from: Settings()).isEmpty)
        for setting in SettingsTable.all {
            #expect(empty.contains("# \(setting.name) = ") || setting.starterValue == nil, "\(setting.name) is documented in the starter")
        }
    }

    /// Every default, shown as in the help and the starter, parses back to itself.
    @Test func defaultsAsShownParseBack() throws {
        for value in [Duration.milliseconds(250), .seconds(2), .seconds(60), .zero, .milliseconds(1500), .milliseconds(61_400), .nanoseconds(1_000_500)] {
            #expect(try Duration.parse(value.shown) == value, "\(value.shown)")
        }
        #expect(Duration.milliseconds(250).shown == "250ms" && Duration.seconds(60).shown == "60s" && Duration.seconds(600).shown == "10m" && Duration.milliseconds(2500).shown == "2.5s")
    }

    /// Each command takes on its command line exactly the settings the table names for it.
    @Test func eachCommandTakesTheSettingsTheTableNames() throws {
        func options<C: SettingCommand>(_ type: C.Type) -> [String] {
            let help = SettingOptions<C>.helpMessage(columns: 200)
            return SettingsTable.all.map(\.name).filter { help.contains("--\($0)") }
        }
        let names = { (command: SettingCommands) in SettingsTable.all.filter { $0.commands.contains(command) }.map(\.name) }
        #expect(options(RunCommandSettings.self) == names(.run))
        #expect(options(RunCommandSettings.self).count == SettingsTable.all.count, "run takes every setting")
        #expect(options(StatusCommandSettings.self) == ["client", "request-timeout", "verbose"])
        #expect(options(ReconnectCommandSettings.self) == names(.reconnect))
        #expect(options(InstallCommandSettings.self) == ["server-dir", "log-file", "pid-file", "journal-unit", "docker-container", "client"])
    }

    @Test func theCommandLineIsParsedByTheTable() throws {
        let parsed = try SettingOptions<RunCommandSettings>.parse([
            "--server-dir", "/srv/altv", "--log-file", "/srv/altv/server.log", "--pid-file", "/srv/altv/server.pid", "--journal-unit", "altv-server.service", "--docker-container", "altv-server",
            "--ready-pattern", "Server started in debug mode", "--start-timeout", "30s", "--resource-error-pattern", "Resource (.+) failed",
            "--crash-pattern", "core dumped", "--shutdown-pattern", "Stopped", "--ready-delay", "1.5s", "--ready-port", "7788", "--settle-delay", "2s",
            "--client", "http://172.20.0.1:9223", "--request-timeout", "3", "--poll-interval", "100ms", "--verify-timeout", "90s",
            "--keep-connected", "--keep-connected-interval", "10s", "--password-file", "/etc/altv-reconnectd/password", "--verbose",
        ])
        #expect(parsed.settings.changes(from: Self.everySettingSet).isEmpty)
        #expect(try SettingOptions<RunCommandSettings>.parse(["--no-verbose"]).settings[\.verbose] == false)
        #expect(try SettingOptions<RunCommandSettings>.parse([]).settings.changes(from: Settings()).isEmpty, "nothing given, nothing set")
        #expect(throws: (any Error).self) { try SettingOptions<RunCommandSettings>.parse(["--poll-interval", "5x"]) }
        #expect(throws: (any Error).self) { try SettingOptions<RunCommandSettings>.parse(["--poll-interval", "5ms"]) }
        #expect(throws: (any Error).self) { try SettingOptions<StatusCommandSettings>.parse(["--log-file", "x"]) }
    }
}

/// Every duration setting has a plausible range; outside it the refusal says the likely meaning.
@Suite struct DurationRangeTests {
    @Test(arguments: [
        (Duration.seconds(250), "250 s is longer than 1 min; did you mean 250ms?"),
        (.milliseconds(5), "5 ms is shorter than 10 ms"),
        (.seconds(-1), "a duration cannot be negative"),
        (.seconds(61), "61 s is longer than 1 min; did you mean 61ms?"),
        (.milliseconds(61_500), "61.5 s is longer than 1 min"),
        (.seconds(7200), "2 h is longer than 1 min; did you mean 7200ms?"),
    ])
    func pollIntervalRefusals(value: Duration, message: String) {
        #expect(DurationRange(.milliseconds(10), .seconds(60)).problem(value) == message)
    }

    @Test func theEdgesAreInside() {
        let range = DurationRange(.milliseconds(10), .seconds(60))
        #expect(range.problem(.milliseconds(10)) == nil && range.problem(.seconds(60)) == nil)
        #expect(DurationRange(.zero, .seconds(300)).problem(.zero) == nil)
    }

    /// No "did you mean" that would itself be refused: 90000 ms is still too long for 1 min.
    @Test func noSuggestionOutsideTheRange() {
        #expect(DurationRange(.milliseconds(10), .seconds(60)).problem(.seconds(90_000)) == "25 h is longer than 1 min")
    }

    /// Each duration setting shows its range in its help, and its default lies inside it.
    @Test func everyDurationSettingHasARange() {
        let table = SettingsTable.shared
        for setting in [table.readyDelay, table.settleDelay, table.requestTimeout, table.pollInterval, table.verifyTimeout] {
            #expect(setting.range != nil, "\(setting.name)")
            #expect(setting.helpText.contains(setting.range ?? "-"), "\(setting.name)")
            #expect(setting.check(setting.defaultValue!) == nil, "\(setting.name)'s default is out of its range")
        }
    }
}

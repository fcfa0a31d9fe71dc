import ArgumentParser
import ReconnectKit
import ReconnectPolicy

/// `altv-reconnectd check`: "why doesn't it reconnect?" answered in one go.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Walk the setup the daemon would run with (same options and configuration file), one line per check.",
        discussion: "Checks the configuration, what is watched, the ready pattern against the existing log, the client (and that it is the alt:V client), the password (never printed) and the user service. Exit 0 when nothing failed (warnings allowed), 1 otherwise."
    )

    @OptionGroup var configOptions: ConfigOptions

    @OptionGroup var options: SettingOptions<RunCommandSettings>

    func run() throws {
        let environment = processEnvironment()
        let results = SetupCheck(commandLine: options.settings, configPath: configOptions.path(environment: environment), environment: environment).run()
        results.map(\.line).forEach(printLine)
        let failed = results.filter { $0.mark == .fail }.count
        let warned = results.filter { $0.mark == .warn }.count
        printLine(failed == 0 ? "check: nothing failed\(warned > 0 ? " (\(warned) warning\(warned == 1 ? "" : "s"))" : "")" : "check: \(failed) failed")
        if failed > 0 { throw ExitCode(ExitStatus.checkFailed) }
    }
}

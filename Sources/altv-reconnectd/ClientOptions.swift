import ReconnectPolicy
import ArgumentParser
import ReconnectKit
import Logging
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// `--config`: every command reads the configuration file, so `status` and `reconnect` talk to
/// the same client, with the same password, as the daemon.
struct ConfigOptions: ParsableArguments {
    @Option(name: .customLong("config"), help: ArgumentHelp(
        "TOML configuration file (default $XDG_CONFIG_HOME/altv-reconnectd/config.toml when it exists). Command-line options win over it.",
        valueName: "path"))
    var config: String?

    /// The file to read: the named one (which must exist), else the default one when it exists.
    func path(environment: [String: String]) -> String? {
        if let config { return config }
        guard let path = ConfigurationFile.defaultPath(environment: environment), access(path, F_OK) == 0 else { return nil }
        return path
    }

    /// The file's settings, and its path; none without a file. Also used on reload (SIGHUP).
    func loadFile(environment: [String: String]) throws(ConfigurationError) -> (Settings, path: String?) {
        guard let path = path(environment: environment) else { return (Settings(), nil) }
        return (try ConfigurationFile.load(path: path), path)
    }

    /// Loads the file and puts `commandLine` on top of it; exit 78 when the file is unreadable or wrong.
    func resolve(_ commandLine: Settings, environment: [String: String]) throws -> Settings {
        do {
            let (file, _) = try loadFile(environment: environment)
            return commandLine.overriding(file)
        } catch {
            throw configurationFailure(error, environment: environment)
        }
    }
}

/// `--log-file` and `--journal-unit` both give ready lines: a usage error when both are given.
func validateOneLineSource(_ settings: Settings) throws {
    if let conflict = settings.sourceConflict(optionPrefix: "--") { throw ValidationError(conflict) }
}

/// A configuration error as one line on stderr and `STATUS=`/`ERRNO=` for systemd: exit 78.
func configurationFailure(_ error: ConfigurationError, environment: [String: String]) -> ExitCode {
    printError("altv-reconnectd: \(error.message)")
    SystemdNotifier(environment: environment).failed(errno: error.errno, status: "Configuration error: \(error.message)")
    return ExitCode(ExitStatus.configuration)
}

/// Logs go to stderr: structured entries when stderr is the journal, plain lines otherwise.
func bootstrapLogging(verbose: Bool, environment: [String: String]) -> Logger {
    let format = JournalStream.logFormat(environment: environment)
    DaemonLogHandler.threshold.set(verbose ? .debug : .info)
    LoggingSystem.bootstrap { _ in DaemonLogHandler(format: format) }
    return Logger(label: "altv-reconnectd")
}

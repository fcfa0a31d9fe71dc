import ArgumentParser
import ReconnectKit
import ReconnectPolicy
#if canImport(Glibc)
import Glibc
#endif

/// `altv-reconnectd install --user`: the program, the user unit and a starter configuration.
struct InstallCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "install",
        abstract: "Install the user service: the program in ~/.local/bin, the unit, a starter configuration (idempotent).",
        discussion: "The system template (one instance per server) is installed by hand; see the README."
    )

    @Flag(name: .customLong("user"), help: "Install for the current user (systemctl --user).")
    var user = false

    @OptionGroup var options: SettingOptions<InstallCommandSettings>

    func validate() throws {
        guard user else { throw ValidationError("say --user (the system template is installed by hand, see the README)") }
        try validateOneLineSource(options.settings)
    }

    func run() throws {
        // Paths as the user means them: `~` expanded, relative to where install was run; the
        // service runs elsewhere, so the configuration gets absolute paths.
        let environment = processEnvironment()
        var cwd = [CChar](repeating: 0, count: 4096)
        let directory = getcwd(&cwd, cwd.count).map { String(cString: $0) }
        let given = options.settings.resolvingPaths(home: environment["HOME"], directory: directory)
        let starter = StarterConfig.text(given)
        let documentation = Installer.Documentation(
            manPage: ManPage.text, bash: AltvReconnectd.completionScript(for: .bash), zsh: AltvReconnectd.completionScript(for: .zsh),
            fish: AltvReconnectd.completionScript(for: .fish))
        try withInstaller { installer throws(InstallError) in try installer.install(starterConfig: starter, documentation: documentation) }
        // The service does not run in this shell: a DOCKER_HOST set here (rootless Docker,
        // Podman) must be given to the user manager too.
        if given[\.dockerContainer] != nil, let host = environment["DOCKER_HOST"], !host.isEmpty, host != "unix://" + DockerEngine.defaultSocket {
            printLine("note     DOCKER_HOST=\(host) is set in this shell, not in the service's: run  systemctl --user set-environment DOCKER_HOST=\(host)  (or add Environment=DOCKER_HOST=\(host) with systemctl --user edit altv-reconnectd)")
        }
        // The same checks as `check`, with the configuration now in place; a client that is not
        // running (the game is closed while installing) is no failure here.
        var check = SetupCheck(commandLine: given, configPath: ConfigurationFile.defaultPath(environment: environment), environment: environment)
        check.clientMayBeAbsent = true
        printLine("Checking the setup (altv-reconnectd check runs these again):")
        check.run().map { "  " + $0.line }.forEach(printLine)
    }
}

/// `altv-reconnectd uninstall --user`: stop, disable, remove; settings kept unless --purge.
struct UninstallCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "uninstall",
        abstract: "Stop and remove the user service and the program; keeps your configuration unless --purge (idempotent)."
    )

    @Flag(name: .customLong("user"), help: "Uninstall the current user's service.")
    var user = false

    @Flag(name: .customLong("purge"), help: "Also remove the configuration and the password file.")
    var purge = false

    func validate() throws {
        guard user else { throw ValidationError("say --user (the system template is removed by hand, see the README)") }
    }

    func run() throws {
        try withInstaller { installer throws(InstallError) in try installer.uninstall(purge: purge) }
    }
}

/// Runs one installer step for the current user, printing its lines; exit 73 when a file cannot
/// be written or removed.
private func withInstaller(_ step: (Installer) throws(InstallError) -> [String]) throws {
    guard let paths = UserPaths(environment: processEnvironment()) else {
        throw ValidationError("HOME is not set to an absolute path; run this as the user the service is for")
    }
    do {
        try step(Installer(paths: paths)).forEach(printLine)
    } catch {
        printError("altv-reconnectd: \(error)")
        throw ExitCode(ExitStatus.cannotCreate)
    }
}

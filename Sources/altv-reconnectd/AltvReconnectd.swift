import ArgumentParser
import ReconnectKit
import ReconnectPolicy

/// The command tree; `run` is the default, so `altv-reconnectd --log-file L` runs the daemon.
struct AltvReconnectd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "altv-reconnectd",
        abstract: "Reconnect your alt:V debug client every time your server (re)starts.",
        discussion: """
            Exit codes: 0 ok (also after SIGTERM/SIGINT), 1 reconnect sent but the client did not \
            reach IN_GAME, 64 usage error, 69 client unavailable (status, reconnect), 73 cannot write a file (install, uninstall), 78 configuration error.
            """,
        version: "0.1.0",
        subcommands: [RunCommand.self, CheckCommand.self, StatusCommand.self, ReconnectCommand.self, InstallCommand.self, UninstallCommand.self, ManCommand.self],
        defaultSubcommand: RunCommand.self
    )
}

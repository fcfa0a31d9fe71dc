import ArgumentParser
import ReconnectKit
import ReconnectPolicy

/// The man page, altv-reconnectd(1): SYNOPSIS, the commands and OPTIONS are generated from the
/// command definitions and the settings table, so a new setting or command appears by itself;
/// the sections an operator reads for context (CONFIGURATION, FILES, ENVIRONMENT, EXIT STATUS,
/// EXAMPLES, SEE ALSO) are written here. `altv-reconnectd man` prints it, `install --user`
/// installs it, and doc/altv-reconnectd.1 is a copy a test keeps equal to it.
enum ManPage {
    static var text: String {
        var page: [String] = [
            #".TH ALTV-RECONNECTD 1 "" "altv-reconnectd \#(AltvReconnectd.configuration.version)" "User Commands""#,
            ".SH NAME",
            #"altv-reconnectd \- reconnect your alt:V debug client every time your server (re)starts"#,
            ".SH SYNOPSIS",
        ]
        let synopsis: [(String, String)] = [
            ("[run]", "--server-dir DIR [--keep-connected] [options]"),
            ("[run]", "(--log-file PATH | --journal-unit UNIT) [--pid-file PATH] [options]"),
            ("[run]", "--pid-file PATH [--ready-delay DURATION] [options]"),
            ("check", "[run's options]"),
            ("status", "[--client URL] [--request-timeout DURATION]"),
            ("reconnect", "[--client URL] [--password-file PATH] [--give-up-after DURATION]"),
            ("install", "--user [--log-file PATH | --journal-unit UNIT] [--pid-file PATH] [--client URL]"),
            ("uninstall", "--user [--purge]"),
        ]
        for (command, arguments) in synopsis {
            page += [".B altv-reconnectd", escape(command) + " " + escape(arguments), ".br"]
        }
        page += [
            ".SH DESCRIPTION",
            "A daemon that follows the server (its log file like tail -F, its systemd unit's journal, or its PID file), and on every server start waits until the client's debug API (GET /status on 127.0.0.1:9223) reports MAIN_MENU or IN_GAME, sends one POST /reconnect with the server password, and follows the client until it is back IN_GAME. It reports each state change in one log line and to systemd (STATUS=, READY=1, the watchdog).",
            ".SH COMMANDS",
        ]
        for command in AltvReconnectd.configuration.subcommands where command.configuration.shouldDisplay {
            let configuration = command.configuration
            page += [".TP", ".B " + escape(configuration.commandName ?? ""), escape(configuration.abstract)]
        }
        page += [".SH OPTIONS", "Every setting is also a key of the configuration file, named as the option without its dashes."]
        for setting in SettingsTable.all {
            let commands = [("run", SettingCommands.run), ("check", .run), ("status", .status), ("reconnect", .reconnect), ("install", .install)]
                .filter { setting.commands.contains($0.1) }.map(\.0)
            let value = setting.isFlag ? "" : " " + #"\fI"# + escape(setting.valueName) + #"\fR"#
            let name = setting.isFlag ? "--[no-]" + setting.name : "--" + setting.name
            page += [".TP", #"\fB"# + escape(name) + #"\fR"# + value, escape(setting.helpText) + " (" + commands.joined(separator: ", ") + ")"]
        }
        page += [
            ".TP", #"\fB\-\-config\fR \fIpath\fR"#, "The TOML configuration file (default $XDG_CONFIG_HOME/altv-reconnectd/config.toml when it exists).",
            ".TP", #"\fB\-\-give\-up\-after\fR \fIduration\fR"#, "reconnect: stop waiting for a reconnectable client after this long (default 60s; 0 tries once).",
            ".TP", #"\fB\-\-purge\fR"#, "uninstall: also remove the configuration and the password file.",
            ".PP", "DURATION is 250ms, 2.5s, 1m, 1h or a bare number of seconds; each duration setting has the range its option shows, and a value outside it is refused with its likely meaning.",
        ]
        page += handWritten.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        return page.joined(separator: "\n") + "\n"
    }

    /// roff: a backslash and a leading dot or quote would be commands; dashes are hyphens.
    static func escape(_ text: String) -> String {
        var escaped = text.replacingAll("\\", with: #"\e"#).replacingAll("-", with: #"\-"#)
        if escaped.hasPrefix(".") || escaped.hasPrefix("'") { escaped = #"\&"# + escaped }
        return escaped
    }

    static let handWritten = #"""
.SH CONFIGURATION
Without \fB\-\-config\fR every command reads $XDG_CONFIG_HOME/altv\-reconnectd/config.toml (~/.config/... without XDG_CONFIG_HOME) when it exists. It is TOML; each key is an option without its dashes, and the command line wins over the file. An unknown key, a wrong type or a value out of range stops the daemon with one line naming the file, the line and the key (exit 78). The password has no key: use password\-file or the systemd credential "password".
.PP
SIGHUP (systemctl \-\-user reload altv\-reconnectd) reads the file and the password again and applies them to the running start; log\-file, journal\-unit and pid\-file take a restart.
.SH FILES
.TP
~/.config/altv\-reconnectd/config.toml
The configuration (install \-\-user writes a starter).
.TP
~/.config/altv\-reconnectd/password
The server password, handed to the user service as the credential "password" (chmod 600).
.TP
DIR/server.toml, DIR/server.log
With \-\-server\-dir DIR: the server's own configuration (its password, after password\-file and the credential; debug, which must be true; port), watched for edits; and the log the server writes there without \-\-logfile.
.TP
~/.config/systemd/user/altv\-reconnectd.service
The user unit; ~/.local/bin/altv\-reconnectd the program.
.TP
~/.local/share/man/man1/altv\-reconnectd.1, ~/.local/share/{bash\-completion,zsh,fish}/...
This page and the shell completions.
.SH ENVIRONMENT
.TP
XDG_CONFIG_HOME, XDG_DATA_HOME, HOME
Where the configuration, the unit, this page and the completions are.
.TP
CREDENTIALS_DIRECTORY
Set by systemd: the credential "password" is read from there when no password\-file is given.
.TP
NOTIFY_SOCKET, WATCHDOG_USEC, JOURNAL_STREAM
Set by systemd: status notifications, the watchdog, structured journal entries.
.SH EXIT STATUS
.TP
0
Success, also after SIGTERM or SIGINT.
.TP
1
reconnect: the reconnect was sent but the client did not reach IN_GAME; check: a check failed.
.TP
64
Usage error.
.TP
69
status, reconnect: the client could not be reached, or another program answers on its port.
.TP
73
install, uninstall: a file could not be written or removed.
.TP
75
reconnect: another altv\-reconnectd drives this client.
.TP
78
Configuration error (the configuration file, an unreadable password file, the kernel's inotify limits).
.SH EXAMPLES
.TP
altv\-reconnectd install \-\-user \-\-server\-dir ~/altv\-server
Install the user service for the server in ~/altv\-server: its server.log, the password and debug flag of its server.toml.
.TP
altv\-reconnectd \-\-server\-dir ~/altv\-server \-\-keep\-connected
Also reconnect a client that drops out of the game while the server runs.
.TP
altv\-reconnectd install \-\-user \-\-log\-file ~/altv\-server/server.log
Install the user service for a server started with \-\-logfile ~/altv\-server/server.log.
.TP
altv\-reconnectd check
Walk the setup: one line per check, with the fix for each failure.
.TP
altv\-reconnectd \-\-journal\-unit altv\-server \-\-verbose
Follow a server run as a systemd unit, tracing every request and decision.
.TP
journalctl \-\-user \-u altv\-reconnectd ALTV_EVENT=client_in_game
Every successful reconnect, with ALTV_LATENCY_MS.
.SH SEE ALSO
systemctl(1), journalctl(1), systemd.service(5), tail(1)
"""#
}

extension String {
    func replacingAll(_ target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}

/// `altv-reconnectd man`: prints the man page (for packagers; `install --user` installs it).
struct ManCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "man", abstract: "Print the man page (roff).", shouldDisplay: false)

    func run() throws { printLine(ManPage.text.hasSuffix("\n") ? String(ManPage.text.dropLast()) : ManPage.text) }
}

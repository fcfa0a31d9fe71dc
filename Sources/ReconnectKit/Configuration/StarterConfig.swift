import TOMLKit
import ReconnectPolicy

/// The configuration `install` writes when there is none yet: the given settings, and the rest
/// commented out with their defaults, so the file documents itself.
public enum StarterConfig {
    public static func text(logFile: String?, journalUnit: String?, pidFile: String?, client: String?) -> String {
        // TOMLKit writes the value: a literal string when it can, else a basic string with escapes.
        func line(_ key: String, _ value: String?, example: String) -> String {
            let text = TOMLTable([key: value ?? example]).convert().trimmingCharacters(where: \.isNewline)
            return value == nil ? "# " + text : text
        }
        let noSource = logFile == nil && journalUnit == nil && pidFile == nil
        return """
            # altv-reconnectd configuration (TOML). Keys are the command-line options without dashes;
            # the command line wins over this file. Apply changes: systemctl --user reload altv-reconnectd
            \(noSource ? "#\n# Set ONE of log-file or journal-unit (and/or pid-file): the daemon refuses to start without it.\n" : "")
            # What to watch: the server's log file (alt:V: --logfile PATH), or its systemd unit's journal.
            \(line("log-file", logFile, example: "/home/me/altv-server/server.log"))
            \(line("journal-unit", journalUnit, example: "altv-server.service"))
            \(line("pid-file", pidFile, example: "/home/me/altv-server/server.pid"))
            # ready-pattern = "Server started"   # regular expression of the readiness line
            # ready-port = 7788                  # also wait until the server accepts connections
            # settle-delay = "0s"                # wait after readiness before contacting the client

            # The client's debug API (debug = true in altv.toml); WSL2 with NAT: the Windows host's address.
            \(line("client", client, example: "http://127.0.0.1:9223"))
            # poll-interval = "250ms"
            # request-timeout = "2s"
            # verify-timeout = "60s"
            # verbose = false

            # The server password is not set here: put it in ~/.config/altv-reconnectd/password
            # (chmod 600); the unit hands it over as the systemd credential "password".
            # password-file = "/path/to/password"   # only when not run by the unit

            """
    }
}

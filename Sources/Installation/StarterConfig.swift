/// The configuration `install` writes when there is none yet: the given settings, and the rest
/// commented out with their defaults, so the file documents itself.
public enum StarterConfig {
    public static func text(logFile: String?, journalUnit: String?, pidFile: String?, client: String?) -> String {
        func line(_ key: String, _ value: String?, example: String) -> String {
            if let value { return "\(key) = \(quoted(value))" }
            return "# \(key) = \(quoted(example))"
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

    /// A TOML string: a literal string when it can be, else a basic string with escapes.
    static func quoted(_ value: String) -> String {
        if !value.contains("'") && !value.unicodeScalars.contains(where: { $0.value < 0x20 }) { return "'\(value)'" }
        var result = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\t": result += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    let hex = String(scalar.value, radix: 16, uppercase: true)
                    result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }
}

import Logging
import ReconnectPolicy

/// What the daemon says about the server's folder and its server.toml (see `ReportText`).
extension ReportText {
    /// The one cause of failed reconnects the daemon can see for itself.
    static let serverDebugOffText = "server.toml has no debug = true: the client will not accept the reconnect"

    /// What server.toml says, at start (`atStart`) or after it changed: a line of what the daemon
    /// uses from it, and a warning (with STATUS=) when its `debug` is not true. Never the password.
    /// - Parameters:
    ///   - passwordSource: where the password in use comes from (server.toml's is then named as
    ///     used, or as overridden by a password file or credential).
    ///   - debugWasOff: after a change: the file lacked `debug = true` before.
    public static func serverToml(_ reading: ServerToml.Reading, in folder: ServerFolder, atStart: Bool,
                           passwordSource: PasswordSource.Origin, debugWasOff: Bool = false) -> [ReportText] {
        let path = folder.serverToml
        let kept = atStart ? "its password and debug flag are not used" : "keeping what it said before"
        switch reading {
        case .missing:
            return [ReportText(level: .warning, message: "No server.toml in \(folder)\(atStart ? "" : " any more"): is it the alt:V server's folder? (--server-dir); \(kept) until it exists",
                               status: nil).with(event: "server_toml")]
        case .unreadable(let reason):
            return [ReportText(level: .warning, message: "Cannot read \(path): \(reason); \(kept) until it can be read (run as the server's user)", status: nil)
                .with(event: "server_toml")]
        case .invalid(let line, let reason):
            return [ReportText(level: .warning, message: "\(path) line \(line): \(reason); \(kept) until it parses", status: nil)
                .with(event: "server_toml")]
        case .read(let values):
            let password: String = switch (values.password, passwordSource) {
            case (nil, _): "no password"
            case (_, .serverToml): "its password is used"
            case (_, let origin): "its password is not used (\(origin) is)"
            }
            let port = values.portShown
            let debug = values.debug.map { "debug = \($0)" } ?? "debug not set"
            var texts = [ReportText(level: atStart ? .info : .notice, message: "\(path)\(atStart ? "" : " changed"): \(port), \(debug), \(password)",
                                    status: nil).with(event: "server_toml")]
            if values.debug != true {
                texts.append(ReportText(level: .warning, message: "\(path) has no debug = true: the client will not accept the reconnect; set debug = true there (and in the client's altv.toml) and restart the server",
                                        status: serverDebugOffText).with(event: "server_debug_off"))
            } else if debugWasOff {
                texts[0].status = "server.toml has debug = true now"
            }
            return texts
        }
    }
}

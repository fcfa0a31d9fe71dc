import Logging
import ReconnectPolicy

/// What the daemon itself says: start-up, standby, reload, stop (see `ReportText`).
extension ReportText {
    /// STATUS= until something else is said.
    public static let defaultStatus = "Waiting for the server to start"

    /// The start-up line: what is watched, the client, where the password comes from (never it),
    /// and the effective timings (a mistyped duration shows here at once).
    public static func starting(sources: [String], readyPort: UInt16?, client: ClientEndpoint, password: Secret?, passwordSource: PasswordSource.Origin,
                                timings: ReconnectSettings, requestTimeout: Duration) -> ReportText {
        let passwordText = switch (password, passwordSource) {
        case (nil, .none): "none"
        case (nil, let origin): "none (\(origin) is empty)"
        case (_, let origin): "from \(origin)"
        }
        let watched = sources + (readyPort.map { ["ready port \($0)"] } ?? [])
        let timing = "poll-interval \(timings.pollInterval.shown), request-timeout \(requestTimeout.shown), verify-timeout \(timings.verifyTimeout.shown), settle-delay \(timings.settleDelay.shown)"
        return ReportText(level: .info, message: "altv-reconnectd starting: \(watched.joined(separator: ", ")), client \(client), password \(passwordText); \(timing)", status: nil)
    }

    public static func standby(holder pid: Int32?, client: ClientEndpoint) -> ReportText {
        let holder = pid.map { "another altv-reconnectd (PID \($0))" } ?? "another altv-reconnectd"
        return ReportText(level: .warning, message: "\(holder) already reconnects \(client); standing by until it stops",
                          status: "Standby: \(holder) already reconnects \(client)")
    }

    public static func takingOver(_ client: ClientEndpoint) -> ReportText {
        ReportText(level: .notice, message: "The other altv-reconnectd stopped; taking over \(client)", status: nil)
    }

    public static func watchdogEnabled(_ interval: Duration) -> ReportText {
        ReportText(level: .debug, message: "Watchdog enabled: pinging every \(DurationText.format(interval))", status: nil)
    }

    public static func stopping(signal name: String) -> ReportText {
        ReportText(level: .info, message: "Stopping (\(name))", status: "Stopping (\(name))")
    }

    public static let reloading = "Reloading the configuration"

    public static let nothingToReload = ReportText(level: .notice, message: "SIGHUP: nothing to reload", status: nil)
        .with(event: "reloaded")

    /// The reload failed; the STATUS= lasts until the next state change.
    public static func reloadFailed(_ reason: String) -> ReportText {
        ReportText(level: .error, message: "Reload failed, keeping the previous configuration: \(reason)",
                   status: "Reload failed (\(reason)); running with the previous configuration")
            .with(event: "reload_failed", messageID: MessageID.reloadFailed)
    }

    /// What a reload changed.
    /// - Parameters:
    ///   - applied: the settings it applied; `needRestart`: those that changed but take a restart.
    ///   - keptClient: the client named by the new configuration, when another daemon drives it.
    public static func reloaded(applied: [String], needRestart: [String], password: Secret?, passwordSource: PasswordSource.Origin,
                                keptClient: (wanted: ClientEndpoint, kept: ClientEndpoint)?) -> ReportText {
        var message = applied.isEmpty ? "Reloaded: no setting changed" : "Reloaded: \(applied.joined(separator: ", ")) changed"
        message += "; password re-read (\(password == nil ? "none" : "from \(passwordSource)"))"
        if let keptClient {
            message += "; \(keptClient.wanted) is reconnected by another altv-reconnectd, so \(keptClient.kept) is kept"
        }
        if !needRestart.isEmpty {
            message += "; \(needRestart.joined(separator: ", ")) changed too, which takes a restart (systemctl restart) to apply"
        }
        return ReportText(level: .notice, message: message, status: nil).with(event: "reloaded", messageID: MessageID.reloaded)
    }
}

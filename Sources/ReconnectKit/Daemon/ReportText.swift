import Logging
import ReconnectPolicy

/// Stable `MESSAGE_ID=`s of the key events (`journalctl MESSAGE_ID=…` finds them across
/// versions; the README lists them). Made once with `systemd-id128 new`; never change them.
public enum MessageID {
    public static let serverReady = "80cc61b1ecac4a759c7a71dea03b642f"
    public static let reconnectSent = "037b1e85da4742ea92f7418b8a34008f"
    public static let clientInGame = "ce77e2922e2643489e4c6114ec85d981"
    public static let reconnectFailed = "c2c941b12ffc405b930bcc78f7984610"
    public static let reloaded = "f41d8b07cae04b4c8af433a40ab1c00f"
    public static let reloadFailed = "eecb762e005e46918ca98a1fb859e545"
    public static let serverCrashed = "e81f13d96bba498085bc7c7342764abd"
    public static let startStalled = "8ff1960929504ef6b78d7af38a17d29d"
}

/// How each state change reads, in the log (one line) and in `STATUS=` (what `systemctl status`
/// shows until the next change), and which journal fields it carries. One place, so the daemon
/// and the one-shot command agree.
public struct ReportText: Equatable, Sendable {
    public var level: Logger.Level
    public var message: String
    /// nil: the change is worth a log line but does not change what the daemon is doing.
    public var status: String?
    /// Journal fields (`ALTV_EVENT=`, `ALTV_START=`, `ALTV_CLIENT_STATUS=`, `ALTV_LATENCY_MS=`,
    /// `MESSAGE_ID=`): logged as metadata, which the handler sends as fields when stderr is the
    /// journal and leaves out of plain lines.
    public var fields: [String: String] = [:]

    /// `fields` as swift-log metadata.
    public var metadata: Logger.Metadata { fields.mapValues { .string($0) } }

    func with(event: String, start: Int? = nil, client: String? = nil, latency: Duration? = nil, messageID: String? = nil) -> ReportText {
        var copy = self
        copy.fields["ALTV_EVENT"] = event
        if let start { copy.fields["ALTV_START"] = "\(start)" }
        if let client { copy.fields["ALTV_CLIENT_STATUS"] = client }
        if let latency {
            copy.fields["ALTV_LATENCY_MS"] = "\(latency.nanosecondsClamped / 1_000_000)"
        }
        if let messageID { copy.fields["MESSAGE_ID"] = messageID }
        return copy
    }

    /// Said whenever a reconnect fails: the two causes users hit (the client accepts a reconnect
    /// only in debug mode, on both sides, and with the right password), told apart by whether a
    /// password is configured at all.
    /// `serverDebugOff`: the server folder's server.toml is known to lack `debug = true`, which
    /// is then the cause to name.
    public static func failureHint(hasPassword: Bool, serverDebugOff: Bool = false) -> (message: String, status: String) {
        if serverDebugOff { return (serverDebugOffText + "; set debug = true there (and in the client's altv.toml) and restart the server", serverDebugOffText) }
        return hasPassword
            ? ("the server may have rejected the password (check password-file or the 'password' credential), or debug = true is missing in the client's altv.toml or the server's server.toml",
               "check the password and debug = true")
            : ("no password is configured: if the server has one, put it in password-file or the 'password' credential; and check that debug = true is set in both the client's altv.toml and the server's server.toml",
               "no password configured; check debug = true")
    }

    public init(level: Logger.Level, message: String, status: String?) {
        self.level = level
        self.message = message
        self.status = status
    }

    /// - Parameters:
    ///   - hasPassword: a password is configured (the failure hint depends on it).
    ///   - manual: a one-shot `reconnect`: "attempt #1" and "after the reconnect started",
    ///     not "start #1" and "after server ready".
    ///   - serverDebugOff: the server's server.toml lacks `debug = true` (said on a failure).
    ///   - resourceErrors: the start's resource errors (said with its readiness).
    public init(_ report: Report, client: ClientEndpoint, hasPassword: Bool, manual: Bool = false, serverDebugOff: Bool = false,
                resourceErrors: [ResourceError] = []) {
        self.init(text: report, client: client, hasPassword: hasPassword, manual: manual, serverDebugOff: serverDebugOff)
        if case .serverReady(let start, let trigger) = report, trigger != .manual, !resourceErrors.isEmpty {
            self = Self.readyWithResourceErrors(self, start: start, errors: resourceErrors)
        }
        self = switch report {
        case .serverReady(let start, .clientDropped): with(event: "client_dropped", start: start)
        case .serverReady(let start, _): with(event: "server_ready", start: start, messageID: MessageID.serverReady)
        case .superseded(let start, _): with(event: "superseded", start: start)
        case .client(let start, let observation, _): with(event: "client_status", start: start, client: Self.fieldValue(observation))
        case .unknownStatus(let text): with(event: "unknown_status", client: text)
        case .reconnectSent(let start, let from, _): with(event: "reconnect_sent", start: start, client: from.description, messageID: MessageID.reconnectSent)
        case .inGame(let start, let sinceReady): with(event: "client_in_game", start: start, client: "IN_GAME", latency: sinceReady, messageID: MessageID.clientInGame)
        case .failed(let start, _): with(event: "reconnect_failed", start: start, messageID: MessageID.reconnectFailed)
        case .alreadyInGame(let start): with(event: "already_in_game", start: start, client: "IN_GAME")
        case .gaveUp(let start, let last): with(event: "gave_up", start: start, client: Self.fieldValue(last))
        case .serverStopped(let start): with(event: "server_stopped", start: start)
        }
    }

    /// `ALTV_CLIENT_STATUS=`: the status word, or `UNREACHABLE` when the client did not answer.
    static func fieldValue(_ observation: Observation) -> String {
        switch observation {
        case .status(let status): status.description
        case .unreachable(.anotherProgram): "NOT_THE_CLIENT"
        case .unreachable: "UNREACHABLE"
        }
    }

    private init(text report: Report, client: ClientEndpoint, hasPassword: Bool, manual: Bool, serverDebugOff: Bool) {
        let which = manual ? "attempt" : "start"
        switch report {
        case .serverReady(let start, .serverReady):
            self.init(level: .info, message: "Server ready (\(which) #\(start))", status: "Server ready (\(which) #\(start)), contacting client")
        case .serverReady(let start, .alreadyRunning):
            self.init(level: .info, message: "Server already running (\(which) #\(start): ready line found in the existing log)",
                      status: "Server already running (\(which) #\(start)), contacting client")
        case .serverReady(let start, .clientDropped):
            self.init(level: .notice, message: "Client dropped to MAIN_MENU while the server runs; reconnecting it (\(which) #\(start), keep-connected)",
                      status: "Client dropped; reconnecting it (\(which) #\(start))")
        case .serverReady(let start, .manual):
            self.init(level: .info, message: "Reconnecting client at \(client) (attempt #\(start))", status: nil)
        case .superseded(let start, let newer):
            self.init(level: .info, message: "Start #\(start) superseded by start #\(newer) before its reconnect finished", status: nil)
        case .client(let start, let observation, afterReconnect: true):
            self.init(level: .info, message: "Client \(observation) (\(which) #\(start), reconnecting)",
                      status: "Reconnect sent (\(which) #\(start)), client \(observation)")
        case .client(let start, .unreachable(.anotherProgram(let what)), afterReconnect: _):
            self.init(level: .warning, message: "Another program listens on \(client), not the alt:V client (it answered \(what)) (\(which) #\(start)); check --client (the debug API is on port 9223 unless changed; 9222 is the game's CEF DevTools); still trying",
                      status: "Another program on \(client), not the alt:V client; check --client")
        case .client(let start, let observation, afterReconnect: false):
            let waiting: String
            switch observation {
            case .status(let status) where status.acceptsReconnect: waiting = ""
            case .unreachable(.connectionRefused): waiting = "; waiting for it (start GTA V with debug = true)"
            default: waiting = "; waiting for MAIN_MENU or IN_GAME"
            }
            self.init(level: .info, message: "Client \(observation) (\(which) #\(start))\(waiting)",
                      status: "Server ready (\(which) #\(start)), client \(observation)")
        case .unknownStatus(let text):
            self.init(level: .warning, message: "Client answered an unknown status '\(text)'; treating it as not ready (reported once)", status: nil)
        case .reconnectSent(let start, let from, let answer):
            let answerText: String = switch answer {
            case .answered(let code): "HTTP \(code)"
            case .noAnswer(let error): "no answer: \(error)"
            }
            self.init(level: .info, message: "Reconnect sent (\(which) #\(start), client was \(from), \(answerText)); waiting for IN_GAME",
                      status: "Reconnect sent (\(which) #\(start)), waiting for IN_GAME")
        case .inGame(let start, let sinceReady):
            let text = "Client IN_GAME \(DurationText.format(sinceReady)) after \(manual ? "the reconnect started" : "server ready") (\(which) #\(start))"
            self.init(level: .notice, message: text, status: text)
        case .failed(let start, let reason):
            let hint = Self.failureHint(hasPassword: hasPassword, serverDebugOff: serverDebugOff)
            self.init(level: .error, message: "Reconnect failed (\(which) #\(start)): \(reason); \(hint.message)",
                      status: "Reconnect failed (\(which) #\(start)): \(reason); \(hint.status)")
        case .alreadyInGame(let start):
            self.init(level: .info, message: "Client already IN_GAME (\(which) #\(start)); not reconnecting it",
                      status: "Client IN_GAME (\(which) #\(start), already connected)")
        case .gaveUp(let start, let last):
            self.init(level: .warning, message: "Gave up waiting for the client (attempt #\(start)): last \(last)",
                      status: "Gave up waiting for the client (\(which) #\(start))")
        case .serverStopped(let start):
            self.init(level: .info, message: "Server stopped before the reconnect finished (\(which) #\(start))",
                      status: "Server stopped (\(which) #\(start)); waiting for the next start")
        }
    }
}

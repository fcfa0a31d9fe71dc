import ClientProtocol
import Logging
import ReconnectPolicy

/// How each state change reads, in the log (one line) and in `STATUS=` (what `systemctl status`
/// shows until the next change). One place, so the daemon and the one-shot command agree.
public struct ReportText: Equatable, Sendable {
    public var level: Logger.Level
    public var message: String
    /// nil: the change is worth a log line but does not change what the daemon is doing.
    public var status: String?

    /// Said whenever a reconnect fails: the two causes users hit (BRIEF §2).
    public static let failureHint =
        "check the server password (--password-file or the 'password' credential) and that debug = true is set in both the client's altv.toml and the server's server.toml"

    public init(level: Logger.Level, message: String, status: String?) {
        self.level = level
        self.message = message
        self.status = status
    }

    public init(_ report: Report, client: ClientEndpoint) {
        switch report {
        case .serverReady(let start, .serverReady):
            self.init(level: .info, message: "Server ready (start #\(start))", status: "Server ready (start #\(start)), contacting client")
        case .serverReady(let start, .alreadyRunning):
            self.init(level: .info, message: "Server already running (start #\(start): ready line found in the existing log)",
                      status: "Server already running (start #\(start)), contacting client")
        case .serverReady(let start, .manual):
            self.init(level: .info, message: "Reconnecting client at \(client) (attempt #\(start))", status: nil)
        case .superseded(let start, let newer):
            self.init(level: .info, message: "Start #\(start) superseded by start #\(newer) before its reconnect finished", status: nil)
        case .client(let start, let observation, afterReconnect: true):
            self.init(level: .info, message: "Client \(observation) (start #\(start), reconnecting)",
                      status: "Reconnect sent (start #\(start)), client \(observation)")
        case .client(let start, let observation, afterReconnect: false):
            let waiting: String
            switch observation {
            case .status(let status) where status.acceptsReconnect: waiting = ""
            case .unreachable(.connectionRefused): waiting = "; waiting for it (start GTA V with debug = true)"
            default: waiting = "; waiting for MAIN_MENU or IN_GAME"
            }
            self.init(level: .info, message: "Client \(observation) (start #\(start))\(waiting)",
                      status: "Server ready (start #\(start)), client \(observation)")
        case .unknownStatus(let text):
            self.init(level: .warning, message: "Client answered an unknown status '\(text)'; treating it as not ready (reported once)", status: nil)
        case .reconnectSent(let start, let from, let answer):
            let answerText: String = switch answer {
            case .answered(let code): "HTTP \(code)"
            case .noAnswer(let error): "no answer: \(error)"
            }
            self.init(level: .info, message: "Reconnect sent (start #\(start), client was \(from), \(answerText)); waiting for IN_GAME",
                      status: "Reconnect sent (start #\(start)), waiting for IN_GAME")
        case .inGame(let start, let sinceReady):
            let text = "Client IN_GAME \(DurationText.format(sinceReady)) after server ready (start #\(start))"
            self.init(level: .notice, message: text, status: text)
        case .failed(let start, let reason):
            self.init(level: .error, message: "Reconnect failed (start #\(start)): \(reason); \(Self.failureHint)",
                      status: "Reconnect failed (start #\(start)): \(reason); check password and debug = true")
        case .alreadyInGame(let start):
            self.init(level: .info, message: "Client already IN_GAME (start #\(start)); not reconnecting it",
                      status: "Client IN_GAME (start #\(start), already connected)")
        case .gaveUp(let start, let last):
            self.init(level: .warning, message: "Gave up waiting for the client (attempt #\(start)): last \(last)",
                      status: "Gave up waiting for the client (start #\(start))")
        case .serverStopped(let start):
            self.init(level: .info, message: "Server stopped before the reconnect finished (start #\(start))",
                      status: "Server stopped (start #\(start)); waiting for the next start")
        }
    }
}

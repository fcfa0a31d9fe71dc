
/// What made a loop start.
public enum StartTrigger: Sendable, Equatable {
    /// The server signalled readiness while the daemon was watching.
    case serverReady
    /// The daemon started after the server was already up (found in the existing log).
    /// A client already `IN_GAME` is then left alone.
    case alreadyRunning
    /// A one-shot `altv-reconnectd reconnect`.
    case manual
    /// `--keep-connected`: the client dropped from IN_GAME to MAIN_MENU while the server runs.
    /// A client back IN_GAME by itself meanwhile is left alone; no settle delay.
    case clientDropped
}

/// Identifies one request or wake-up the loop asked for; answers with another ticket are stale.
public struct Ticket: Hashable, Sendable, CustomStringConvertible {
    public let start: Int
    public let sequence: UInt64
    public var description: String { "#\(start).\(sequence)" }
}

/// What the driver must do for the loop.
public enum Effect: Equatable, Sendable {
    case requestStatus(Ticket)
    case postReconnect(Ticket)
    /// Call `wakeUpDue(ticket, at:)` at this instant; replaces any earlier wake-up.
    case wakeUp(at: MonotonicInstant, Ticket)
    /// The pending wake-up is no longer wanted (keeps an idle daemon free of timers).
    case cancelWakeUp
    /// Something a person should see: one log line and one `STATUS=`.
    case report(Report)
}

/// What the last request told us about the client.
public enum Observation: Equatable, Sendable, CustomStringConvertible {
    case status(ClientStatus)
    case unreachable(ClientError)

    public var description: String {
        switch self {
        case .status(let status): status.description
        case .unreachable(.connectionRefused): "not running (connection refused)"
        case .unreachable(.anotherProgram(let what)): "another program, not the alt:V client (\(what))"
        case .unreachable(let error): "unreachable (\(error))"
        }
    }
}

/// How the client answered the POST. Undocumented, so only shown, never trusted.
public enum PostAnswer: Equatable, Sendable {
    case answered(statusCode: Int)
    case noAnswer(ClientError)
}

public enum FailureReason: Equatable, Sendable, CustomStringConvertible {
    /// The client went (or stayed) in the main menu after the POST.
    case backInMainMenu
    /// The client reported ERROR after the POST.
    case clientError
    /// No IN_GAME within the verify timeout.
    case verifyTimedOut(last: Observation?)

    public var description: String {
        switch self {
        case .backInMainMenu: "the client is back in MAIN_MENU"
        case .clientError: "the client reports ERROR"
        case .verifyTimedOut(let last): "no IN_GAME within the verify timeout (last: \(last?.description ?? "no answer"))"
        }
    }
}

public enum Outcome: Equatable, Sendable {
    case inGame(sinceReady: Duration)
    case failed(FailureReason)
    case alreadyInGame
    case gaveUp
    case serverStopped
}

public enum Phase: Equatable, Sendable {
    case idle
    case settling
    case waitingForClient
    case posting
    case verifying
    case finished(Outcome)

    public var isActive: Bool {
        switch self {
        case .settling, .waitingForClient, .posting, .verifying: true
        case .idle, .finished: false
        }
    }
}

/// A state change worth one log line and one `STATUS=` (every state change is visible: the
/// user reads what the daemon does in `systemctl status` and the journal).
public enum Report: Equatable, Sendable {
    case serverReady(start: Int, trigger: StartTrigger)
    case superseded(start: Int, by: Int)
    /// What the client said changed; `afterReconnect` tells whether the POST was already sent.
    case client(start: Int, Observation, afterReconnect: Bool)
    case unknownStatus(String)
    case reconnectSent(start: Int, from: ClientStatus, answer: PostAnswer)
    case inGame(start: Int, sinceReady: Duration)
    case failed(start: Int, FailureReason)
    case alreadyInGame(start: Int)
    case gaveUp(start: Int, last: Observation)
    case serverStopped(start: Int)
}

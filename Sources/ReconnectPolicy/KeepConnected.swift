/// `--keep-connected`: while the server runs, look at the client every `interval`, and when it
/// has dropped from IN_GAME to MAIN_MENU without a server restart, reconnect it (the alt:V
/// community's request in altv-issues #966: "automatically reconnect while debug mode is enabled
/// and connection is lost"). A pure state machine like `ServerRun`: events in, effects out.
///
/// Rules:
/// - Checks run only while the server runs (ready, not stopped or crashed) and no reconnect loop
///   is running; one status request per interval, so at most one reconnect per interval.
/// - Only a drop counts: IN_GAME seen (or reached by a reconnect), then MAIN_MENU. A client that
///   is loading, connecting or downloading is left alone; one that stopped answering (the game
///   was closed) must be seen IN_GAME again first.
/// - After a failed reconnect, not again until the client is back IN_GAME or the server
///   restarts: a wrong password or `debug = false` would fail every interval.
public struct KeepConnected: Sendable {
    /// Identifies one wait or request; answers for an older one are stale.
    public struct Ticket: Hashable, Sendable, CustomStringConvertible {
        let generation: Int
        public var description: String { "#\(generation)" }
    }

    public enum Event: Sendable, Equatable {
        /// A server start's reconnect began: the server runs, and a failed attempt is forgiven.
        case serverUp
        /// The server stopped, crashed or exited.
        case serverDown
        /// A reconnect loop runs (for a start, or for a drop): no checks meanwhile.
        case loopStarted
        /// The loop ended: with the client IN_GAME, or with a failed reconnect.
        case loopFinished(inGame: Bool, failed: Bool)
        case wakeUpDue(Ticket)
        case statusAnswered(Result<ClientStatus, ClientError>, Ticket)
    }

    public enum Effect: Sendable, Equatable {
        case wakeUp(at: MonotonicInstant, Ticket)
        case cancelWakeUp
        /// Ask the client for its status (off the event queue), then send `.statusAnswered`.
        case requestStatus(Ticket)
        /// The client dropped: start a reconnect loop (`StartTrigger.clientDropped`).
        case reconnect
    }

    public var interval: Duration
    public private(set) var serverRunning = false
    private var loopActive = false
    private var seenInGame = false
    private var heldAfterFailure = false
    private var pending: Pending?
    private var generation = 0

    private enum Pending: Equatable {
        case wait(Ticket)
        case request(Ticket)
    }

    public init(interval: Duration) {
        self.interval = interval
    }

    public mutating func handle(_ event: Event, at now: MonotonicInstant) -> [Effect] {
        switch event {
        case .serverUp:
            serverRunning = true
            heldAfterFailure = false
            return []
        case .serverDown:
            serverRunning = false
            seenInGame = false
            return dropPending()
        case .loopStarted:
            loopActive = true
            return dropPending()
        case .loopFinished(let inGame, let failed):
            loopActive = false
            if inGame { seenInGame = true }
            if failed { heldAfterFailure = true }
            return scheduleCheck(at: now)
        case .wakeUpDue(let ticket):
            guard pending == .wait(ticket) else { return [] }
            let next = nextTicket()
            pending = .request(next)
            return [.requestStatus(next)]
        case .statusAnswered(let result, let ticket):
            guard pending == .request(ticket) else { return [] }
            pending = nil
            switch result {
            case .success(.inGame):
                seenInGame = true
                heldAfterFailure = false
            case .success(.mainMenu) where seenInGame && !heldAfterFailure:
                seenInGame = false
                return [.reconnect]
            case .failure(.connectionRefused):
                seenInGame = false
            default:
                break
            }
            return scheduleCheck(at: now)
        }
    }

    private mutating func scheduleCheck(at now: MonotonicInstant) -> [Effect] {
        guard serverRunning, !loopActive, pending == nil else { return [] }
        let ticket = nextTicket()
        pending = .wait(ticket)
        return [.wakeUp(at: now + interval, ticket)]
    }

    private mutating func dropPending() -> [Effect] {
        guard let pending else { return [] }
        self.pending = nil
        if case .wait = pending { return [.cancelWakeUp] }
        return []
    }

    private mutating func nextTicket() -> Ticket {
        generation += 1
        return Ticket(generation: generation)
    }
}

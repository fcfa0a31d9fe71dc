
/// The reconnect policy as a pure state machine: events in, effects out, no I/O, no clock.
///
/// The daemon feeds it "the server is ready", the answers of the requests it asked for and the
/// wake-ups it scheduled; it answers with what to do next. Because every request and wake-up
/// carries a `Ticket`, an answer that arrives after a newer server start (or after the loop
/// moved on) is recognised and dropped, which is what makes "one POST per start" hold even
/// when requests are slow and starts come quickly.
///
/// Rules:
/// - poll `/status` every `pollInterval`; POST only in `MAIN_MENU` or `IN_GAME`;
/// - errors and odd answers are retried, never fatal; a client that is not running is waited for;
/// - after the POST, follow the status until `IN_GAME` (success) or `MAIN_MENU`/`ERROR` (failure),
///   within `verifyTimeout`; there is no second POST for the same start;
/// - a newer start supersedes an older loop.
public struct ReconnectLoop: Sendable {
    /// Changeable while a loop runs (a reload): each decision reads the current settings.
    public var settings: ReconnectSettings
    /// The number of the current (or last) server start, from 1.
    public private(set) var start = 0
    public private(set) var phase: Phase = .idle
    /// The last thing learnt about the client during the current start.
    public private(set) var lastObservation: Observation?

    private var trigger = StartTrigger.serverReady
    private var readyAt = MonotonicInstant(nanoseconds: 0)
    private var sequence: UInt64 = 0
    private var inFlight: Ticket?
    private var pendingWakeUp: Ticket?
    private var lastRequestAt = MonotonicInstant(nanoseconds: 0)
    private var postedFrom = ClientStatus.mainMenu
    private var postedAt = MonotonicInstant(nanoseconds: 0)
    /// After the POST: since when the client has been in MAIN_MENU without interruption. The
    /// menu counts as a verdict only after `reactionGrace`: right after the POST the client may
    /// not have reacted yet, and a reconnect from IN_GAME may pass the menu on its way.
    private var menuSince: MonotonicInstant?
    /// After the POST: the client has shown a state other than the one it was posted from.
    /// Until then an IN_GAME may be the old session (posted from IN_GAME).
    private var leftPostedState = false
    private var reportedUnknown: Set<String> = []

    public init(settings: ReconnectSettings) {
        self.settings = settings
    }

    // MARK: Events

    /// The server signalled readiness: start a new loop, superseding any older one.
    public mutating func serverReady(_ trigger: StartTrigger, at now: MonotonicInstant) -> [Effect] {
        var effects: [Effect] = []
        if phase.isActive { effects.append(.report(.superseded(start: start, by: start + 1))) }
        start += 1
        self.trigger = trigger
        readyAt = now
        inFlight = nil
        lastObservation = nil
        effects.append(.report(.serverReady(start: start, trigger: trigger)))
        if settings.settleDelay > .zero && trigger != .clientDropped {
            phase = .settling
            effects += scheduleWakeUp(at: now + settings.settleDelay)
        } else {
            phase = .waitingForClient
            effects += requestStatus(at: now)
        }
        return effects
    }

    /// The server went away before this start's loop finished: nothing to reconnect to.
    public mutating func serverStopped(at now: MonotonicInstant) -> [Effect] {
        guard phase.isActive else { return [] }
        return finish(.serverStopped, report: .serverStopped(start: start))
    }

    /// The answer to `.requestStatus(ticket)`.
    public mutating func statusReceived(_ result: Result<ClientStatus, ClientError>, for ticket: Ticket, at now: MonotonicInstant) -> [Effect] {
        guard ticket == inFlight else { return [] }
        inFlight = nil
        let observation: Observation = switch result {
        case .success(let status): .status(status)
        case .failure(let error): .unreachable(error)
        }
        let observed = observe(observation)
        let decided: [Effect]
        switch phase {
        case .waitingForClient: decided = decideWhileWaiting(observation, at: now)
        case .verifying: decided = decideWhileVerifying(observation, at: now)
        default: decided = []
        }
        if case .finished(.inGame) = phase {
            // "Client IN_GAME 4.2 s after server ready" says it all; skip the bare "Client IN_GAME".
            return observed.filter { if case .report(.client) = $0 { false } else { true } } + decided
        }
        return observed + decided
    }

    /// The outcome of `.postReconnect(ticket)`.
    public mutating func reconnectPosted(_ result: Result<HTTPResponse, ClientError>, for ticket: Ticket, at now: MonotonicInstant) -> [Effect] {
        guard ticket == inFlight, phase == .posting else { return [] }
        inFlight = nil
        let answer: PostAnswer
        switch result {
        case .success(let response):
            answer = .answered(statusCode: response.statusCode)
        case .failure(let error) where !error.mayHaveReachedClient:
            // Nothing was sent, so trying again later is not a second POST.
            phase = .waitingForClient
            return observe(.unreachable(error)) + scheduleNextPoll(after: now, notLaterThan: giveUpAt)
        case .failure(let error):
            answer = .noAnswer(error)
        }
        phase = .verifying
        postedAt = now
        menuSince = postedFrom == .mainMenu ? now : nil
        leftPostedState = false
        return [.report(.reconnectSent(start: start, from: postedFrom, answer: answer))]
            + scheduleWakeUp(at: now + settings.pollInterval)
    }

    /// A wake-up asked for with `.wakeUp(at:ticket)` is due.
    public mutating func wakeUpDue(_ ticket: Ticket, at now: MonotonicInstant) -> [Effect] {
        guard ticket == pendingWakeUp else { return [] }
        pendingWakeUp = nil
        switch phase {
        case .settling:
            phase = .waitingForClient
            return requestStatus(at: now)
        case .waitingForClient, .verifying:
            return requestStatus(at: now)
        default:
            return []
        }
    }

    // MARK: Decisions

    private mutating func decideWhileWaiting(_ observation: Observation, at now: MonotonicInstant) -> [Effect] {
        if case .status(let status) = observation, status.acceptsReconnect {
            if (trigger == .alreadyRunning || trigger == .clientDropped) && status == .inGame {
                // Started after the server: a client already in game is connected; leave it be.
                return finish(.alreadyInGame, report: .alreadyInGame(start: start))
            }
            sequence += 1
            let ticket = Ticket(start: start, sequence: sequence)
            inFlight = ticket
            phase = .posting
            postedFrom = status
            return [.postReconnect(ticket)]
        }
        if let giveUpAt, now >= giveUpAt {
            return finish(.gaveUp, report: .gaveUp(start: start, last: observation))
        }
        return scheduleNextPoll(after: now, notLaterThan: giveUpAt)
    }

    private mutating func decideWhileVerifying(_ observation: Observation, at now: MonotonicInstant) -> [Effect] {
        let sinceReady = now - readyAt
        if case .status(let status) = observation {
            if status != postedFrom { leftPostedState = true }
            if status == .mainMenu {
                menuSince = menuSince ?? now
            } else {
                menuSince = nil
            }
            switch status {
            case .inGame where postedFrom == .mainMenu || leftPostedState || now - postedAt >= settings.reactionGrace:
                return finish(.inGame(sinceReady: sinceReady), report: .inGame(start: start, sinceReady: sinceReady))
            case .mainMenu where now - menuSince! >= settings.reactionGrace:
                // In the menu for a whole grace period: the reconnect was refused or ignored.
                return finish(.failed(.backInMainMenu), report: .failed(start: start, .backInMainMenu))
            case .error:
                return finish(.failed(.clientError), report: .failed(start: start, .clientError))
            default:
                break
            }
        }
        let verifyDeadline = postedAt + settings.verifyTimeout
        if now >= verifyDeadline {
            let reason = FailureReason.verifyTimedOut(last: observation)
            return finish(.failed(reason), report: .failed(start: start, reason))
        }
        return scheduleNextPoll(after: now, notLaterThan: verifyDeadline)
    }

    // MARK: Helpers

    private var giveUpAt: MonotonicInstant? {
        settings.giveUpAfter.map { readyAt + settings.settleDelay + $0 }
    }

    private mutating func observe(_ observation: Observation) -> [Effect] {
        var effects: [Effect] = []
        if case .status(.unknown(let text)) = observation, !reportedUnknown.contains(text) {
            if reportedUnknown.count < 64 { reportedUnknown.insert(text) }
            effects.append(.report(.unknownStatus(text)))
        }
        if observation != lastObservation {
            lastObservation = observation
            effects.append(.report(.client(start: start, observation, afterReconnect: phase == .verifying || phase == .posting)))
        }
        return effects
    }

    private mutating func requestStatus(at now: MonotonicInstant) -> [Effect] {
        var effects: [Effect] = []
        if pendingWakeUp != nil {
            pendingWakeUp = nil
            effects.append(.cancelWakeUp)
        }
        sequence += 1
        let ticket = Ticket(start: start, sequence: sequence)
        inFlight = ticket
        lastRequestAt = now
        effects.append(.requestStatus(ticket))
        return effects
    }

    /// Polls keep a steady cadence: the next request goes out one interval after the previous
    /// one went out (at once if that request took longer), never later than `limit`.
    private mutating func scheduleNextPoll(after now: MonotonicInstant, notLaterThan limit: MonotonicInstant?) -> [Effect] {
        var due = max(now, lastRequestAt + settings.pollInterval)
        if let limit { due = min(due, max(now, limit)) }
        return scheduleWakeUp(at: due)
    }

    private mutating func scheduleWakeUp(at instant: MonotonicInstant) -> [Effect] {
        sequence += 1
        let ticket = Ticket(start: start, sequence: sequence)
        pendingWakeUp = ticket
        return [.wakeUp(at: instant, ticket)]
    }

    private mutating func finish(_ outcome: Outcome, report: Report) -> [Effect] {
        phase = .finished(outcome)
        inFlight = nil
        var effects: [Effect] = [.report(report)]
        if pendingWakeUp != nil {
            pendingWakeUp = nil
            effects.append(.cancelWakeUp)
        }
        return effects
    }
}

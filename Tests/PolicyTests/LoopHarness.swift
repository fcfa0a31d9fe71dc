import ReconnectPolicy
import Testing

/// Drives a `ReconnectLoop` by hand: time only moves when a test says so (no sleeping).
struct LoopHarness {
    var loop: ReconnectLoop
    var now = MonotonicInstant(nanoseconds: 1_000_000_000)
    var effects: [Effect] = []
    var posts = 0

    init(_ settings: ReconnectSettings = ReconnectSettings()) {
        loop = ReconnectLoop(settings: settings)
    }

    mutating func take(_ new: [Effect]) {
        effects = new
        posts += new.filter { if case .postReconnect = $0 { true } else { false } }.count
    }

    mutating func advance(_ duration: Duration) { now = now + duration }

    mutating func ready(_ trigger: StartTrigger = .serverReady) { take(loop.serverReady(trigger, at: now)) }

    var statusTicket: Ticket? {
        for case .requestStatus(let ticket) in effects { return ticket }
        return nil
    }
    var postTicket: Ticket? {
        for case .postReconnect(let ticket) in effects { return ticket }
        return nil
    }
    var wakeUp: (at: MonotonicInstant, ticket: Ticket)? {
        for case .wakeUp(let at, let ticket) in effects { return (at, ticket) }
        return nil
    }
    var reports: [Report] { effects.compactMap { if case .report(let report) = $0 { report } else { nil } } }

    /// Answers the pending status request.
    mutating func answer(_ result: Result<ClientStatus, ClientError>) {
        guard let ticket = statusTicket else { Issue.record("no status request pending: \(effects)"); return }
        take(loop.statusReceived(result, for: ticket, at: now))
    }
    mutating func answer(_ status: ClientStatus) { answer(.success(status)) }

    /// Answers the pending POST.
    mutating func posted(_ result: Result<HTTPResponse, ClientError> = .success(HTTPResponse(statusCode: 200, body: []))) {
        guard let ticket = postTicket else { Issue.record("no POST pending: \(effects)"); return }
        take(loop.reconnectPosted(result, for: ticket, at: now))
    }

    /// While the loop verifies, keeps answering every poll with `status` until it decides.
    mutating func answerUntilDecided(_ status: ClientStatus) {
        while loop.phase == .verifying {
            fireWakeUp()
            answer(status)
        }
    }

    /// Jumps to the pending wake-up and fires it.
    mutating func fireWakeUp() {
        guard let (at, ticket) = wakeUp else { Issue.record("no wake-up pending: \(effects)"); return }
        now = max(now, at)
        take(loop.wakeUpDue(ticket, at: now))
    }
}

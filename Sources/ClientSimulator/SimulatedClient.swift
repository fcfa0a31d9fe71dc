import ReconnectKit
import ReconnectPolicy

/// The alt:V client's debug-mode behaviour as a pure, clock-injected state machine, as the
/// README's "The client's debug API" describes it.
///
/// - boots in `LOADING`, reaches `MAIN_MENU` after `bootDelay`;
/// - `POST /reconnect` from `MAIN_MENU` with the right password (or any, without one):
///   `CONNECTING` → `DOWNLOADING_FILES` (half-way) → `IN_GAME` after `connectDelay`;
///   from `IN_GAME` it first passes `DISCONNECTING`;
/// - a wrong password: `CONNECTING`, then back to `MAIN_MENU` half-way;
/// - a POST in any other state is ignored (the state does not change).
public struct SimulatedClient: Sendable {
    public struct Settings: Sendable {
        public var bootDelay: Duration
        public var connectDelay: Duration
        /// nil: the server has no password, any body is accepted.
        public var password: [UInt8]?

        public init(bootDelay: Duration = .seconds(2), connectDelay: Duration = .seconds(1), password: [UInt8]? = nil) {
            self.bootDelay = bootDelay
            self.connectDelay = connectDelay
            self.password = password
        }
    }

    public enum Verdict: String, Sendable {
        case accepted
        case wrongPassword = "wrong_password"
        case ignored
    }

    public struct Transition: Sendable, Equatable {
        public var from: ClientStatus
        public var to: ClientStatus
        public var at: MonotonicInstant

        public init(from: ClientStatus, to: ClientStatus, at: MonotonicInstant) {
            self.from = from
            self.to = to
            self.at = at
        }
    }

    public let settings: Settings
    public private(set) var state: ClientStatus = .loading
    /// Transitions still to happen, in time order.
    private var plan: [(at: MonotonicInstant, to: ClientStatus)] = []

    public init(settings: Settings, now: MonotonicInstant) {
        self.settings = settings
        plan = [(now + settings.bootDelay, .mainMenu)]
    }

    /// When the next planned transition is due.
    public var nextTransitionAt: MonotonicInstant? { plan.first?.at }

    /// Applies every transition due at `now`.
    public mutating func advance(to now: MonotonicInstant) -> [Transition] {
        var done: [Transition] = []
        while let next = plan.first, next.at <= now {
            plan.removeFirst()
            if next.to != state { done.append(Transition(from: state, to: next.to, at: next.at)) }
            state = next.to
        }
        return done
    }

    /// A `POST /reconnect` with `body` arrives at `now`.
    public mutating func reconnect(body: [UInt8], at now: MonotonicInstant) -> (Verdict, [Transition]) {
        var done = advance(to: now)
        guard state.acceptsReconnect else { return (.ignored, done) }
        let delay = settings.connectDelay
        let half = Duration.nanoseconds(Int64(delay.nanosecondsClamped / 2))
        let passwordOK = settings.password.map { $0 == body } ?? true
        if !passwordOK {
            plan = [(now, .connecting), (now + half, .mainMenu)]
        } else if state == .inGame {
            let quarter = Duration.nanoseconds(Int64(delay.nanosecondsClamped / 4))
            plan = [(now, .disconnecting), (now + quarter, .connecting), (now + half, .downloadingFiles), (now + delay, .inGame)]
        } else {
            plan = [(now, .connecting), (now + half, .downloadingFiles), (now + delay, .inGame)]
        }
        done += advance(to: now)
        return (passwordOK ? .accepted : .wrongPassword, done)
    }

    /// Test hook: put the client in `status` now, dropping planned transitions
    /// (e.g. the game was closed and restarted, or the player left to the menu).
    public mutating func force(_ status: ClientStatus, at now: MonotonicInstant) -> [Transition] {
        plan = []
        guard status != state else { return [] }
        defer { state = status }
        return [Transition(from: state, to: status, at: now)]
    }
}

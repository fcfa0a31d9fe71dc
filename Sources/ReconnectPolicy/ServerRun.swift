/// What a line of the server's output means to the daemon.
public enum ServerLine: Sendable, Equatable {
    case ready
    /// A resource failed to load or start (alt:V still prints its ready line afterwards).
    case resourceError(ResourceError)
    /// The server crashed: the line as shown (`MiniDump created.`, `Segmentation fault`).
    case crash(String)
    /// A clean stop (`Server shutdown`).
    case shutdown
}

public struct ResourceError: Sendable, Equatable {
    /// The resource's name (`chat`).
    public var name: String
    /// The line from where the match starts (`Failed to start resource chat unknown type js`).
    public var text: String

    public init(name: String, text: String) {
        self.name = name
        self.text = text
    }

    /// `resource chat failed to start`: alt:V says whether loading or starting failed.
    public var summary: String {
        let how = text.contains("to start") ? " to start" : text.contains("to load") ? " to load" : ""
        return "resource \(name) failed\(how)"
    }
}

/// What the server did, start by start, read from its output: the resource errors of a start
/// (reported with its readiness), a crash, a clean shutdown, a start that writes lines but never
/// its ready line. A pure state machine like `ReadinessGate`: events in, effects out, time passed
/// in; the daemon wires it between the sources and the gate.
///
/// Rules:
/// - A start begins when the server writes after it was stopped (or before anything was known),
///   or when its log starts over (alt:V overwrites `server.log` on each start). Its resource
///   errors are collected until its ready line, which takes them along; one after the ready line
///   is reported at once (a resource restarted while the server runs, or the next start's, when
///   that start gave no sign of the stop before it).
/// - A crash or shutdown line stops the server: a pending reconnect is pointless (`serverDown`).
///   The process exiting (a PID source) without a shutdown line within `exitGrace` is a crash;
///   the grace lets the shutdown line, written before the exit, arrive through the other source.
/// - A start with no ready line within `startTimeout` is reported once, with its last line.
/// - While catching up with the existing log nothing is reported and no timer runs: the phase
///   is only followed, so that a log that ends in a crash or shutdown does not count as a server
///   already running.
public struct ServerRun: Sendable {
    public struct Configuration: Sendable, Equatable {
        /// A start that writes lines but no ready line for this long is reported.
        public var startTimeout: Duration
        /// How long after the process exits a shutdown line may still arrive.
        public var exitGrace: Duration

        public init(startTimeout: Duration = .seconds(120), exitGrace: Duration = .milliseconds(500)) {
            self.startTimeout = startTimeout
            self.exitGrace = exitGrace
        }
    }

    public enum Phase: Sendable, Equatable {
        /// Nothing known yet (or the log began in the middle of a start).
        case unknown
        case starting
        case running
        case stopped
    }

    /// Identifies one wake-up; answers for an older one are stale.
    public struct Ticket: Hashable, Sendable, CustomStringConvertible {
        let generation: Int
        public var description: String { "#\(generation)" }
    }

    public enum Event: Sendable, Equatable {
        /// Lines were written; the last one, as it may be shown.
        case output(lastLine: String)
        /// The log was truncated or replaced: a new start is writing it.
        case outputRestarted
        case line(ServerLine)
        /// A PID source saw the server's process end.
        case processExited
        /// Every source has read what existed when the daemon started.
        case caughtUp
        case wakeUpDue(Ticket)
    }

    public enum Effect: Sendable, Equatable {
        /// Send `.wakeUpDue(ticket)` at this instant; replaces any earlier wake-up.
        case wakeUp(at: MonotonicInstant, Ticket)
        case cancelWakeUp
        /// The server is down (crashed or shut down): drop a pending reconnect; while catching
        /// up, forget the ready lines seen so far.
        case serverDown
        case report(Report)
    }

    public enum Report: Sendable, Equatable {
        /// `line`: the crash line; nil when the process exited without a shutdown line.
        case crashed(line: String?)
        case shutDown
        /// No ready line `after` the start began; the last line the server wrote.
        case stalled(after: Duration, lastLine: String?)
        /// A resource failed after the server was ready.
        case resourceErrorWhileRunning(ResourceError)
    }

    public var configuration: Configuration
    public private(set) var phase: Phase = .unknown
    /// The resource errors of the start whose ready line came last, one per resource, in order:
    /// what the ready report names.
    public private(set) var resourceErrorsAtReady: [ResourceError] = []
    /// Collected since the current start began (or since the last ready line: a restart may
    /// come without a shutdown line, and its errors then belong to its own ready line).
    private var resourceErrors: [ResourceError] = []
    public private(set) var lastLine: String?
    private var isCaughtUp = false
    private var pending: Pending?
    private var generation = 0

    private enum Pending: Equatable {
        case stall(Ticket, since: MonotonicInstant)
        case exitGrace(Ticket)
    }

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    public mutating func handle(_ event: Event, at now: MonotonicInstant) -> [Effect] {
        switch event {
        case .output(let line):
            lastLine = line
            return phase == .stopped || phase == .unknown ? beginStart(at: now) : []

        case .outputRestarted:
            return isCaughtUp ? beginStart(at: now) : []

        case .line(.ready):
            phase = .running
            resourceErrorsAtReady = resourceErrors
            resourceErrors = []
            return dropPending()

        case .line(.resourceError(let error)):
            var effects: [Effect] = []
            if phase == .running {
                if isCaughtUp { effects.append(.report(.resourceErrorWhileRunning(error))) }
            } else if phase == .stopped || phase == .unknown {
                effects = beginStart(at: now)
            }
            if !resourceErrors.contains(where: { $0.name == error.name }) { resourceErrors.append(error) }
            return effects

        case .line(.crash(let line)):
            return stop(.crashed(line: line))

        case .line(.shutdown):
            return stop(.shutDown)

        case .processExited:
            guard isCaughtUp, phase != .stopped else { return [] }
            var effects = dropPending()
            let ticket = nextTicket()
            pending = .exitGrace(ticket)
            effects.append(.wakeUp(at: now + configuration.exitGrace, ticket))
            return effects

        case .caughtUp:
            guard !isCaughtUp else { return [] }
            isCaughtUp = true
            // The log ends in the middle of a start: it may be starting right now.
            guard phase == .starting else { return [] }
            return armStall(since: now)

        case .wakeUpDue(let ticket):
            switch pending {
            case .stall(ticket, let since):
                pending = nil
                return phase == .starting ? [.report(.stalled(after: now - since, lastLine: lastLine))] : []
            case .exitGrace(ticket):
                pending = nil
                guard phase != .stopped else { return [] }
                phase = .stopped
                return [.serverDown, .report(.crashed(line: nil))]
            default:
                return []
            }
        }
    }

    private mutating func beginStart(at now: MonotonicInstant) -> [Effect] {
        phase = .starting
        resourceErrors = []
        // While catching up no timer runs; `caughtUp` arms one if the log ends mid-start.
        return isCaughtUp ? armStall(since: now) : []
    }

    private mutating func armStall(since now: MonotonicInstant) -> [Effect] {
        var effects = dropPending()
        let ticket = nextTicket()
        pending = .stall(ticket, since: now)
        effects.append(.wakeUp(at: now + configuration.startTimeout, ticket))
        return effects
    }

    private mutating func stop(_ report: Report) -> [Effect] {
        phase = .stopped
        var effects = dropPending()
        effects.append(.serverDown)
        if isCaughtUp { effects.append(.report(report)) }
        return effects
    }

    private mutating func dropPending() -> [Effect] {
        guard pending != nil else { return [] }
        pending = nil
        return [.cancelWakeUp]
    }

    private mutating func nextTicket() -> Ticket {
        generation += 1
        return Ticket(generation: generation)
    }
}

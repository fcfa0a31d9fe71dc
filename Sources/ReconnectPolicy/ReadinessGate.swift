/// When the server counts as ready: the rule between what the sources see (ready lines, the
/// server's process starting and exiting) and the reconnect loop. A pure state machine like
/// `ReconnectLoop`: events in, effects out, time passed in.
///
/// Rules:
/// - Ready lines found while the daemon catches up with what exists already (the log written
///   before it started) do not start a loop one by one: once caught up, any of them means the
///   server is *already running* (`StartTrigger.alreadyRunning`), unless a PID file says the
///   server is down, which outweighs an old ready line.
/// - With a source of ready lines, a process start only means "starting": the line decides.
///   Without one (a PID file alone), the process start is the readiness, after `readyDelay`.
/// - With `readyPort`, readiness waits until the server accepts TCP connections on that port:
///   probes with exponential backoff, and none while nothing is pending.
/// - The process exiting, or a newer readiness, drops whatever is pending (delay or probe);
///   answers for a dropped wait are recognised by their ticket and ignored.
public struct ReadinessGate: Sendable {
    /// What the gate is told about the setup; changeable by a reload (it applies from the next
    /// readiness on).
    public struct Configuration: Sendable, Equatable {
        /// A source gives ready lines (a log file, a journal).
        public var hasReadyLines: Bool
        /// A source follows the server's process (a PID file).
        public var watchesProcess: Bool
        /// Without ready lines: how long after the process starts the server counts as ready.
        public var readyDelay: Duration
        /// Also wait for the server to accept connections on this port.
        public var readyPort: UInt16?

        public init(hasReadyLines: Bool, watchesProcess: Bool, readyDelay: Duration = .zero, readyPort: UInt16? = nil) {
            self.hasReadyLines = hasReadyLines
            self.watchesProcess = watchesProcess
            self.readyDelay = readyDelay
            self.readyPort = readyPort
        }
    }

    /// Identifies one wait (a delay or a probe); answers for an older wait are stale.
    public struct Ticket: Hashable, Sendable {
        let generation: Int
    }

    public enum Event: Sendable, Equatable {
        /// A source saw a ready line.
        case readyLine
        /// The server's process runs; `alreadyRunning` when it was found at start-up.
        case processStarted(pid: Int32, alreadyRunning: Bool)
        /// The server's process exited; `reconnectActive` tells whether the reconnect loop of
        /// the last start is still running (for the report).
        case processExited(pid: Int32, reconnectActive: Bool)
        /// The server's output says it crashed or shut down (`ServerRun`): while catching up,
        /// the ready lines seen so far no longer mean it runs; afterwards, drop what is pending.
        case serverDown
        /// Every source has read what existed when the daemon started.
        case caughtUp
        /// The wake-up asked for with `.wakeUp(at:ticket)` is due.
        case wakeUpDue(Ticket)
        /// The answer to `.probe(port:ticket)`.
        case probeAnswered(accepted: Bool, Ticket)
    }

    public enum Effect: Sendable, Equatable {
        /// Try one TCP connect to the port (off the event queue), then send `.probeAnswered`.
        case probe(port: UInt16, Ticket)
        /// Send `.wakeUpDue(ticket)` at this instant; replaces any earlier wake-up.
        case wakeUp(at: MonotonicInstant, Ticket)
        /// The pending wake-up is no longer wanted.
        case cancelWakeUp
        /// Start a reconnect loop.
        case serverReady(StartTrigger)
        /// Stop the running reconnect loop: the server is gone.
        case serverStopped
        case report(Report)
    }

    /// What the gate decided that a person should see (the texts are `ReportText`'s).
    public enum Report: Sendable, Equatable {
        /// Caught up, and nothing says the server runs.
        case waitingForStart
        /// Found at start-up with no source of ready lines: it counts as ready at once.
        case processRunning(pid: Int32)
        /// The process runs; its ready line is awaited.
        case processAwaitingReadyLine(pid: Int32, alreadyRunning: Bool)
        /// The process started with no source of ready lines: ready after `readyDelay`.
        case processStarted(pid: Int32, readyDelay: Duration)
        case processExited(pid: Int32, Stop)
        case waitingForPort(UInt16)
        case portAccepts(UInt16)
    }

    /// What the process's exit interrupted.
    public enum Stop: Sendable, Equatable {
        /// A delay or a port probe: the server stopped before it was ready.
        case beforeReady
        /// The reconnect loop of the last start.
        case reconnect
        /// Nothing.
        case idle
    }

    public var configuration: Configuration
    /// Ready lines seen while catching up.
    public private(set) var readyLinesAtStart = 0
    public private(set) var isCaughtUp = false
    /// The process as last seen by a PID source (false before any says it runs).
    public private(set) var processRunning = false
    private var pending: Pending?
    private var generation = 0

    private enum Pending: Equatable {
        case delay(Ticket)
        case probe(UInt16, StartTrigger, Backoff, Ticket)
        case probeBackoff(UInt16, StartTrigger, Backoff, Ticket)
    }

    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    /// A delay or a probe is pending.
    public var isWaiting: Bool { pending != nil }

    public mutating func handle(_ event: Event, at now: MonotonicInstant) -> [Effect] {
        switch event {
        case .readyLine:
            guard isCaughtUp else {
                readyLinesAtStart += 1
                return []
            }
            return becameReady(.serverReady, at: now)

        case .processStarted(let pid, let alreadyRunning):
            processRunning = true
            if configuration.hasReadyLines {
                return [.report(.processAwaitingReadyLine(pid: pid, alreadyRunning: alreadyRunning))]
            }
            if alreadyRunning {
                let report = Effect.report(.processRunning(pid: pid))
                guard isCaughtUp else {
                    readyLinesAtStart += 1
                    return [report]
                }
                return [report] + becameReady(.alreadyRunning, at: now)
            }
            var effects = cancel()
            effects.append(.report(.processStarted(pid: pid, readyDelay: configuration.readyDelay)))
            if configuration.readyDelay > .zero {
                let ticket = nextTicket()
                pending = .delay(ticket)
                effects.append(.wakeUp(at: now + configuration.readyDelay, ticket))
            } else {
                effects += becameReady(.serverReady, at: now)
            }
            return effects

        case .processExited(let pid, let reconnectActive):
            processRunning = false
            let wasWaiting = isWaiting
            var effects = cancel()
            effects.append(.serverStopped)
            effects.append(.report(.processExited(pid: pid, wasWaiting ? .beforeReady : reconnectActive ? .reconnect : .idle)))
            return effects

        case .serverDown:
            guard isCaughtUp else {
                readyLinesAtStart = 0
                return []
            }
            var effects = cancel()
            effects.append(.serverStopped)
            return effects

        case .caughtUp:
            guard !isCaughtUp else { return [] }
            isCaughtUp = true
            // A PID file saying the server is down outweighs an old ready line in the log.
            let serverDown = configuration.watchesProcess && !processRunning
            if readyLinesAtStart > 0 && !serverDown {
                return becameReady(.alreadyRunning, at: now)
            }
            return [.report(.waitingForStart)]

        case .wakeUpDue(let ticket):
            switch pending {
            case .delay(ticket):
                pending = nil
                return becameReady(.serverReady, at: now)
            case .probeBackoff(let port, let trigger, let backoff, ticket):
                let next = nextTicket()
                pending = .probe(port, trigger, backoff, next)
                return [.probe(port: port, next)]
            default:
                return []
            }

        case .probeAnswered(let accepted, let ticket):
            guard case .probe(let port, let trigger, var backoff, ticket) = pending else { return [] }
            if accepted {
                pending = nil
                return [.report(.portAccepts(port)), .serverReady(trigger)]
            }
            let next = nextTicket()
            let delay = backoff.nextDelay()
            pending = .probeBackoff(port, trigger, backoff, next)
            return [.wakeUp(at: now + delay, next)]
        }
    }

    /// The server is ready: reconnect now, or first wait for `readyPort` to accept.
    private mutating func becameReady(_ trigger: StartTrigger, at now: MonotonicInstant) -> [Effect] {
        var effects = cancel()
        guard let port = configuration.readyPort else {
            effects.append(.serverReady(trigger))
            return effects
        }
        let ticket = nextTicket()
        pending = .probe(port, trigger, Backoff(), ticket)
        effects.append(.report(.waitingForPort(port)))
        effects.append(.probe(port: port, ticket))
        return effects
    }

    /// Drops a pending delay or probe (a newer start, or the server's exit).
    private mutating func cancel() -> [Effect] {
        let hadWakeUp = switch pending {
        case .delay, .probeBackoff: true
        case .probe, nil: false
        }
        pending = nil
        generation += 1
        return hadWakeUp ? [.cancelWakeUp] : []
    }

    private mutating func nextTicket() -> Ticket {
        generation += 1
        return Ticket(generation: generation)
    }
}

// Short forms for the `--verbose` trace ("readiness: readyLine -> serverReady(serverReady)").

extension ReadinessGate.Ticket: CustomStringConvertible {
    public var description: String { "#\(generation)" }
}

extension ReadinessGate.Event: CustomStringConvertible {
    public var description: String {
        switch self {
        case .readyLine: "readyLine"
        case .processStarted(let pid, let alreadyRunning): "processStarted(\(pid)\(alreadyRunning ? ", already running" : ""))"
        case .processExited(let pid, let active): "processExited(\(pid)\(active ? ", reconnect active" : ""))"
        case .serverDown: "serverDown"
        case .caughtUp: "caughtUp"
        case .wakeUpDue(let ticket): "wakeUpDue(\(ticket))"
        case .probeAnswered(let accepted, let ticket): "probeAnswered(\(accepted ? "accepted" : "refused"), \(ticket))"
        }
    }
}

extension ReadinessGate.Effect: CustomStringConvertible {
    public var description: String {
        switch self {
        case .probe(let port, let ticket): "probe(port \(port), \(ticket))"
        case .wakeUp(let instant, let ticket): "wakeUp(at \(instant), \(ticket))"
        case .cancelWakeUp: "cancelWakeUp"
        case .serverReady(let trigger): "serverReady(\(trigger))"
        case .serverStopped: "serverStopped"
        case .report(let report): "report(\(report))"
        }
    }
}

extension ReadinessGate.Report: CustomStringConvertible {
    public var description: String {
        switch self {
        case .waitingForStart: "waitingForStart"
        case .processRunning(let pid): "processRunning(\(pid))"
        case .processAwaitingReadyLine(let pid, _): "processAwaitingReadyLine(\(pid))"
        case .processStarted(let pid, let delay): "processStarted(\(pid), ready delay \(delay))"
        case .processExited(let pid, let stop): "processExited(\(pid), \(stop))"
        case .waitingForPort(let port): "waitingForPort(\(port))"
        case .portAccepts(let port): "portAccepts(\(port))"
        }
    }
}

import ReconnectPolicy
import Testing

/// Drives a `ServerRun` by hand: time moves only when a test says so.
struct RunHarness {
    var run = ServerRun(configuration: .init(startTimeout: .seconds(120), exitGrace: .milliseconds(500)))
    var now = MonotonicInstant(nanoseconds: 5_000_000_000)
    var effects: [ServerRun.Effect] = []
    /// Every wake-up asked for and not cancelled or fired (there is at most one).
    var pending: (at: MonotonicInstant, ticket: ServerRun.Ticket)?

    mutating func send(_ event: ServerRun.Event) {
        effects = run.handle(event, at: now)
        for effect in effects {
            switch effect {
            case .wakeUp(let at, let ticket): pending = (at, ticket)
            case .cancelWakeUp: pending = nil
            default: break
            }
        }
    }

    mutating func line(_ line: ServerLine) { send(.line(line)) }
    mutating func output(_ last: String = "[12:00:00] something") { send(.output(lastLine: last)) }

    var reports: [ServerRun.Report] { effects.compactMap { if case .report(let report) = $0 { report } else { nil } } }
    var down: Bool { effects.contains(.serverDown) }

    /// Lets `duration` pass, firing the wake-up if it falls due.
    mutating func advance(_ duration: Duration) {
        now = now + duration
        effects = []
        if let due = pending, due.at <= now {
            pending = nil
            send(.wakeUpDue(due.ticket))
        }
    }
}

let chat = ResourceError(name: "chat", text: "Failed to start resource chat unknown type js")
let core = ResourceError(name: "core", text: "Failed to load resource core")

@Suite struct ServerRunTests {
    @Test func aStartsResourceErrorsGoWithItsReadyLineOnly() {
        var h = RunHarness()
        h.send(.caughtUp)
        h.output()
        h.line(.resourceError(core))
        h.line(.resourceError(chat))
        h.line(.resourceError(ResourceError(name: "chat", text: "Failed to load resource chat")))  // one per resource
        h.line(.ready)
        #expect(h.run.resourceErrorsAtReady == [core, chat])
        // The next start, told by its log starting over, has none.
        h.send(.outputRestarted)
        h.output()
        h.line(.ready)
        #expect(h.run.resourceErrorsAtReady.isEmpty)
    }

    @Test func anErrorAfterTheReadyLineIsReportedAtOnce() {
        var h = RunHarness()
        h.send(.caughtUp)
        h.output()
        h.line(.ready)
        h.line(.resourceError(chat))
        #expect(h.reports == [.resourceErrorWhileRunning(chat)])
        // A restart without a shutdown line: the error belongs to the next ready line too.
        h.line(.ready)
        #expect(h.run.resourceErrorsAtReady == [chat])
    }

    @Test func aCrashLineStopsTheServerAndIsReported() {
        var h = RunHarness()
        h.send(.caughtUp)
        h.output()
        h.line(.ready)
        h.line(.crash("MiniDump created."))
        #expect(h.down)
        #expect(h.reports == [.crashed(line: "MiniDump created.")])
        #expect(h.run.phase == .stopped)
        h.line(.shutdown)
        #expect(h.reports == [.shutDown])
    }

    /// The process exits: a crash unless the shutdown line arrives within the grace (it is
    /// written before the exit, but comes through another source).
    @Test func anExitWithoutAShutdownLineIsACrash() {
        var h = RunHarness()
        h.send(.caughtUp)
        h.output()
        h.line(.ready)
        h.send(.processExited)
        #expect(h.reports.isEmpty && !h.down)
        h.advance(.milliseconds(499))
        #expect(h.reports.isEmpty)
        h.advance(.milliseconds(1))
        #expect(h.down)
        #expect(h.reports == [.crashed(line: nil)])

        var clean = RunHarness()
        clean.send(.caughtUp)
        clean.output()
        clean.line(.ready)
        clean.send(.processExited)
        clean.advance(.milliseconds(100))
        clean.line(.shutdown)
        #expect(clean.reports == [.shutDown])
        #expect(clean.pending == nil, "the grace is dropped")
        clean.advance(.seconds(1))
        #expect(clean.reports.isEmpty)
    }

    @Test func aStartWithoutReadyLineIsReportedOnceWithItsLastLine() {
        var h = RunHarness()
        h.send(.caughtUp)
        h.output("[12:00:00] Starting")
        h.advance(.seconds(60))
        h.output("[12:01:00] Loading resource big")
        h.advance(.seconds(59))
        #expect(h.reports.isEmpty)
        h.advance(.seconds(1))
        #expect(h.reports == [.stalled(after: .seconds(120), lastLine: "[12:01:00] Loading resource big")])
        #expect(h.pending == nil, "once")
        // Its ready line comes late after all: nothing more is said; no timer runs.
        h.line(.ready)
        #expect(h.reports.isEmpty && h.pending == nil)
    }

    @Test func aReadyLineInTimeCancelsTheStallTimer() {
        var h = RunHarness()
        h.send(.caughtUp)
        h.output()
        #expect(h.pending != nil)
        h.line(.ready)
        #expect(h.pending == nil && h.effects == [.cancelWakeUp])
        // Lines while running start nothing.
        h.output()
        #expect(h.pending == nil && h.effects.isEmpty)
    }

    /// Catching up: the phase is followed, nothing reported, no timer; a log ending in a crash or
    /// shutdown makes the server down (the gate then forgets the ready lines).
    @Test func catchingUpFollowsThePhaseQuietly() {
        var h = RunHarness()
        h.output()
        h.line(.resourceError(core))
        h.line(.ready)
        #expect(h.effects.isEmpty)
        h.line(.crash("Segmentation fault"))
        #expect(h.effects == [.serverDown], "no report while catching up")
        h.output()
        #expect(h.pending == nil)
        h.send(.caughtUp)
        #expect(h.pending != nil, "the log ends in the middle of a start: its stall is timed from now")

        var stopped = RunHarness()
        stopped.output()
        stopped.line(.ready)
        stopped.line(.shutdown)
        stopped.send(.caughtUp)
        #expect(stopped.effects.isEmpty && stopped.run.phase == .stopped)
        stopped.send(.processExited)
        #expect(stopped.effects.isEmpty, "already stopped")
    }

    @Test func aStaleWakeUpIsIgnored() {
        var h = RunHarness()
        h.send(.caughtUp)
        h.output()
        let stale = h.pending!.ticket
        h.line(.ready)
        h.send(.wakeUpDue(stale))
        #expect(h.effects.isEmpty)
    }

    @Test func summariesSayWhatFailed() {
        #expect(chat.summary == "resource chat failed to start")
        #expect(core.summary == "resource core failed to load")
        #expect(ResourceError(name: "x", text: "x broke").summary == "resource x failed")
    }
}

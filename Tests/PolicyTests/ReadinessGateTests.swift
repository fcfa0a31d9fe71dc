import ReconnectPolicy
import Testing

/// Drives a `ReadinessGate` by hand, like `LoopHarness`: time moves only when a test says so.
struct GateHarness {
    var gate: ReadinessGate
    var now = MonotonicInstant(nanoseconds: 5_000_000_000)
    var effects: [ReadinessGate.Effect] = []

    init(lines: Bool = true, process: Bool = false, readyDelay: Duration = .zero, readyPort: UInt16? = nil) {
        gate = ReadinessGate(configuration: .init(hasReadyLines: lines, watchesProcess: process, readyDelay: readyDelay, readyPort: readyPort))
    }

    mutating func send(_ event: ReadinessGate.Event) { effects = gate.handle(event, at: now) }

    var readiness: [StartTrigger] { effects.compactMap { if case .serverReady(let trigger) = $0 { trigger } else { nil } } }
    var reports: [ReadinessGate.Report] { effects.compactMap { if case .report(let report) = $0 { report } else { nil } } }
    var stopped: Bool { effects.contains(.serverStopped) }
    var wakeUp: (at: MonotonicInstant, ticket: ReadinessGate.Ticket)? {
        for case .wakeUp(let at, let ticket) in effects { return (at, ticket) }
        return nil
    }
    var probe: (port: UInt16, ticket: ReadinessGate.Ticket)? {
        for case .probe(let port, let ticket) in effects { return (port, ticket) }
        return nil
    }

    /// Jumps to the pending wake-up and fires it.
    mutating func fireWakeUp() {
        guard let wakeUp else { Issue.record("no wake-up pending: \(effects)"); return }
        now = wakeUp.at
        send(.wakeUpDue(wakeUp.ticket))
    }
}

@Suite struct ReadinessGateTests {
    // MARK: Catching up

    @Test func readyLinesWhileCatchingUpMeanAlreadyRunningOnce() {
        var h = GateHarness()
        for _ in 0..<3 {
            h.send(.readyLine)
            #expect(h.effects.isEmpty, "old lines start nothing one by one")
        }
        h.send(.caughtUp)
        #expect(h.readiness == [.alreadyRunning])
        h.send(.caughtUp)
        #expect(h.effects.isEmpty, "caught up once")
    }

    @Test func nothingAtStartSaysWhatItWaitsFor() {
        var h = GateHarness()
        h.send(.caughtUp)
        #expect(h.readiness.isEmpty)
        #expect(h.reports == [.waitingForStart])
    }

    @Test func aLiveReadyLineIsAStart() {
        var h = GateHarness()
        h.send(.caughtUp)
        h.send(.readyLine)
        #expect(h.readiness == [.serverReady])
        h.send(.readyLine)
        #expect(h.readiness == [.serverReady], "each line is a start of its own")
    }

    // MARK: PID file beside a log

    @Test func aDownServerOutweighsAnOldReadyLine() {
        var h = GateHarness(process: true)
        h.send(.readyLine)
        h.send(.caughtUp)
        #expect(h.readiness.isEmpty, "the PID file says the server is down")
        #expect(h.reports == [.waitingForStart])
    }

    @Test func aRunningServerAndAnOldReadyLineAreAlreadyRunning() {
        var h = GateHarness(process: true)
        h.send(.processStarted(pid: 42, alreadyRunning: true))
        #expect(h.reports == [.processAwaitingReadyLine(pid: 42, alreadyRunning: true)])
        h.send(.readyLine)
        h.send(.caughtUp)
        #expect(h.readiness == [.alreadyRunning])
    }

    @Test func withReadyLinesAProcessStartOnlyWaitsForTheLine() {
        var h = GateHarness(process: true)
        h.send(.caughtUp)
        h.send(.processStarted(pid: 7, alreadyRunning: false))
        #expect(h.readiness.isEmpty)
        #expect(h.reports == [.processAwaitingReadyLine(pid: 7, alreadyRunning: false)])
        h.send(.readyLine)
        #expect(h.readiness == [.serverReady])
    }

    @Test func theProcessExitingStopsTheReconnect() {
        var h = GateHarness(process: true)
        h.send(.caughtUp)
        h.send(.readyLine)
        h.send(.processExited(pid: 7, reconnectActive: true))
        #expect(h.stopped)
        #expect(h.reports == [.processExited(pid: 7, .reconnect)])
        h.send(.processExited(pid: 8, reconnectActive: false))
        #expect(h.reports == [.processExited(pid: 8, .idle)])
    }

    // MARK: PID file alone

    @Test func aProcessFoundAtStartIsReadyOnceCaughtUp() {
        var h = GateHarness(lines: false, process: true)
        h.send(.processStarted(pid: 9, alreadyRunning: true))
        #expect(h.readiness.isEmpty)
        #expect(h.reports == [.processRunning(pid: 9)])
        h.send(.caughtUp)
        #expect(h.readiness == [.alreadyRunning])
    }

    @Test func aNewProcessIsReadyAfterTheReadyDelay() {
        var h = GateHarness(lines: false, process: true, readyDelay: .milliseconds(300))
        h.send(.caughtUp)
        let started = h.now
        h.send(.processStarted(pid: 11, alreadyRunning: false))
        #expect(h.reports == [.processStarted(pid: 11, readyDelay: .milliseconds(300))])
        #expect(h.readiness.isEmpty)
        #expect(h.wakeUp?.at == started + .milliseconds(300))
        #expect(h.gate.isWaiting)
        h.fireWakeUp()
        #expect(h.readiness == [.serverReady])
        #expect(!h.gate.isWaiting)
    }

    @Test func withoutADelayANewProcessIsReadyAtOnce() {
        var h = GateHarness(lines: false, process: true)
        h.send(.caughtUp)
        h.send(.processStarted(pid: 11, alreadyRunning: false))
        #expect(h.readiness == [.serverReady])
        #expect(h.wakeUp == nil)
    }

    @Test func anExitDuringTheDelayCancelsIt() {
        var h = GateHarness(lines: false, process: true, readyDelay: .seconds(1))
        h.send(.caughtUp)
        h.send(.processStarted(pid: 11, alreadyRunning: false))
        let stale = h.wakeUp!.ticket
        h.send(.processExited(pid: 11, reconnectActive: false))
        #expect(h.effects.contains(.cancelWakeUp))
        #expect(h.reports == [.processExited(pid: 11, .beforeReady)])
        h.send(.wakeUpDue(stale))
        #expect(h.effects.isEmpty, "a late timer for a cancelled delay does nothing")
    }

    @Test func aNewerProcessReplacesThePendingDelay() {
        var h = GateHarness(lines: false, process: true, readyDelay: .seconds(1))
        h.send(.caughtUp)
        h.send(.processStarted(pid: 1, alreadyRunning: false))
        let first = h.wakeUp!.ticket
        h.send(.processStarted(pid: 2, alreadyRunning: false))
        #expect(h.effects.first == .cancelWakeUp)
        h.send(.wakeUpDue(first))
        #expect(h.readiness.isEmpty)
        h.send(.processStarted(pid: 3, alreadyRunning: false))
        h.fireWakeUp()
        #expect(h.readiness == [.serverReady], "one start for the newest process")
    }

    // MARK: Ready port

    @Test func readinessWaitsForThePortWithBackoff() {
        var h = GateHarness(readyPort: 7788)
        h.send(.caughtUp)
        h.send(.readyLine)
        #expect(h.reports == [.waitingForPort(7788)])
        #expect(h.readiness.isEmpty)
        var delays: [Duration] = []
        for _ in 0..<4 {
            guard let probe = h.probe else { Issue.record("no probe: \(h.effects)"); return }
            #expect(probe.port == 7788)
            let before = h.now
            h.send(.probeAnswered(accepted: false, probe.ticket))
            delays.append(h.wakeUp!.at - before)
            h.fireWakeUp()
        }
        #expect(delays == [.milliseconds(50), .milliseconds(100), .milliseconds(200), .milliseconds(400)])
        h.send(.probeAnswered(accepted: true, h.probe!.ticket))
        #expect(h.reports == [.portAccepts(7788)])
        #expect(h.readiness == [.serverReady])
        #expect(!h.gate.isWaiting, "no probe runs once the port accepted")
    }

    @Test func anAnswerForAnOlderStartIsIgnored() {
        var h = GateHarness(readyPort: 7788)
        h.send(.caughtUp)
        h.send(.readyLine)
        let old = h.probe!.ticket
        h.send(.readyLine)
        let new = h.probe!.ticket
        h.send(.probeAnswered(accepted: true, old))
        #expect(h.effects.isEmpty, "the probe of a superseded start decides nothing")
        h.send(.probeAnswered(accepted: true, new))
        #expect(h.readiness == [.serverReady])
    }

    @Test func theServerStoppingDropsThePortWait() {
        var h = GateHarness(process: true, readyPort: 7788)
        h.send(.processStarted(pid: 5, alreadyRunning: false))
        h.send(.caughtUp)
        h.send(.readyLine)
        let ticket = h.probe!.ticket
        h.send(.processExited(pid: 5, reconnectActive: false))
        #expect(h.reports == [.processExited(pid: 5, .beforeReady)])
        h.send(.probeAnswered(accepted: true, ticket))
        #expect(h.readiness.isEmpty)
    }

    @Test func alreadyRunningAlsoWaitsForThePort() {
        var h = GateHarness(readyPort: 7788)
        h.send(.readyLine)
        h.send(.caughtUp)
        h.send(.probeAnswered(accepted: true, h.probe!.ticket))
        #expect(h.readiness == [.alreadyRunning])
    }

    @Test func aReloadAppliesToTheNextReadiness() {
        var h = GateHarness()
        h.send(.caughtUp)
        h.gate.configuration.readyPort = 9000
        h.send(.readyLine)
        #expect(h.probe?.port == 9000)
    }
}

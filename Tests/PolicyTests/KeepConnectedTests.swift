import ReconnectPolicy
import Testing

/// Drives `KeepConnected` by hand: time moves only when a test says so; status requests are
/// answered by the test.
struct KeepHarness {
    var keep = KeepConnected(interval: .seconds(5))
    var now = MonotonicInstant(nanoseconds: 5_000_000_000)
    var effects: [KeepConnected.Effect] = []
    var wait: (at: MonotonicInstant, ticket: KeepConnected.Ticket)?
    var request: KeepConnected.Ticket?
    var reconnects = 0

    mutating func send(_ event: KeepConnected.Event) {
        effects = keep.handle(event, at: now)
        for effect in effects {
            switch effect {
            case .wakeUp(let at, let ticket): wait = (at, ticket)
            case .cancelWakeUp: wait = nil
            case .requestStatus(let ticket): request = ticket
            case .reconnect: reconnects += 1
            }
        }
    }

    /// The server started and its reconnect left the client in game.
    mutating func serverStartedClientInGame() {
        send(.serverUp)
        send(.loopStarted)
        send(.loopFinished(inGame: true, failed: false))
    }

    /// Lets the interval pass and answers the status request it makes.
    mutating func check(answers status: Result<ClientStatus, ClientError>) {
        guard let due = wait else { Issue.record("no check pending"); return }
        now = due.at
        wait = nil
        send(.wakeUpDue(due.ticket))
        guard let ticket = request else { Issue.record("no status requested"); return }
        request = nil
        send(.statusAnswered(status, ticket))
    }
}

@Suite struct KeepConnectedTests {
    @Test func aClientThatDropsToTheMenuIsReconnectedOnce() {
        var h = KeepHarness()
        h.serverStartedClientInGame()
        #expect(h.wait?.at == h.now + .seconds(5), "checked every interval while the server runs")
        h.check(answers: .success(.inGame))
        h.check(answers: .success(.mainMenu))
        #expect(h.reconnects == 1)
        #expect(h.wait == nil, "no check while the reconnect runs")
        h.send(.loopStarted)
        h.send(.loopFinished(inGame: true, failed: false))
        h.check(answers: .success(.inGame))
        #expect(h.reconnects == 1)
    }

    @Test func aClientBusyConnectingOrLoadingIsLeftAlone() {
        var h = KeepHarness()
        h.serverStartedClientInGame()
        for status in [ClientStatus.connecting, .downloadingFiles, .loading, .disconnecting] {
            h.check(answers: .success(status))
        }
        #expect(h.reconnects == 0)
        // Still the same drop: once it reaches the menu, it is reconnected.
        h.check(answers: .success(.mainMenu))
        #expect(h.reconnects == 1)
    }

    @Test func afterAFailedReconnectItWaitsForInGameOrARestart() {
        var h = KeepHarness()
        h.serverStartedClientInGame()
        h.check(answers: .success(.mainMenu))
        h.send(.loopStarted)
        h.send(.loopFinished(inGame: false, failed: true))
        h.check(answers: .success(.mainMenu))
        h.check(answers: .success(.mainMenu))
        #expect(h.reconnects == 1, "not again after a failure")
        // The server restarts: forgiven; its reconnect puts the client in game; a drop counts again.
        h.serverStartedClientInGame()
        h.check(answers: .success(.mainMenu))
        #expect(h.reconnects == 2)
    }

    @Test func nothingWhileTheServerIsStopped() {
        var h = KeepHarness()
        h.serverStartedClientInGame()
        h.send(.serverDown)
        #expect(h.wait == nil && h.effects == [.cancelWakeUp])
        h.now = h.now + .seconds(60)
        #expect(h.reconnects == 0)
        // A stale answer for a request made before the stop changes nothing.
        var racing = KeepHarness()
        racing.serverStartedClientInGame()
        let due = racing.wait!
        racing.now = due.at
        racing.send(.wakeUpDue(due.ticket))
        let ticket = racing.request!
        racing.send(.serverDown)
        racing.send(.statusAnswered(.success(.mainMenu), ticket))
        #expect(racing.reconnects == 0 && racing.effects.isEmpty)
    }

    @Test func aClosedGameMustBeSeenInGameAgain() {
        var h = KeepHarness()
        h.serverStartedClientInGame()
        h.check(answers: .failure(.connectionRefused))
        h.check(answers: .success(.mainMenu))
        #expect(h.reconnects == 0, "the game was restarted, not dropped")
        h.check(answers: .success(.inGame))
        h.check(answers: .success(.mainMenu))
        #expect(h.reconnects == 1)
        // A timeout (a game busy loading) forgets nothing.
        h.send(.loopStarted)
        h.send(.loopFinished(inGame: true, failed: false))
        h.check(answers: .failure(.responseTimedOut))
        h.check(answers: .success(.mainMenu))
        #expect(h.reconnects == 2)
    }
}

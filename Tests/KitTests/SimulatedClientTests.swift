import ReconnectKit
import ClientSimulator
import ReconnectPolicy
import Testing
import TestSupport

@Suite struct SimulatedClientTests {
    let start = MonotonicInstant(nanoseconds: 1_000_000_000)

    func client(password: String? = nil) -> SimulatedClient {
        SimulatedClient(settings: .init(bootDelay: .seconds(2), connectDelay: .seconds(1), password: password.map { Array($0.utf8) }), now: start)
    }

    @Test func bootsIntoTheMainMenu() {
        var sim = client()
        #expect(sim.state == .loading)
        #expect(sim.advance(to: start + .milliseconds(1999)).isEmpty)
        #expect(sim.advance(to: start + .seconds(2)) == [.init(from: .loading, to: .mainMenu, at: start + .seconds(2))])
        #expect(sim.nextTransitionAt == nil)
    }

    @Test func reconnectGoesInGameOverTheConnectDelay() {
        var sim = client(password: "pw")
        let at = start + .seconds(3)
        let (verdict, now) = sim.reconnect(body: Array("pw".utf8), at: at)
        #expect(verdict == .accepted)
        #expect(now.map(\.to) == [.mainMenu, .connecting])
        #expect(sim.advance(to: at + .milliseconds(500)).map(\.to) == [.downloadingFiles])
        #expect(sim.advance(to: at + .seconds(1)).map(\.to) == [.inGame])
        // From IN_GAME a reconnect disconnects first.
        let (again, transitions) = sim.reconnect(body: Array("pw".utf8), at: at + .seconds(5))
        #expect(again == .accepted)
        #expect(transitions.map(\.to) == [.disconnecting])
    }

    @Test func wrongPasswordGoesBackToTheMenu() {
        var sim = client(password: "pw")
        let at = start + .seconds(3)
        #expect(sim.reconnect(body: Array("nope".utf8), at: at).0 == .wrongPassword)
        #expect(sim.advance(to: at + .seconds(1)).map(\.to) == [.mainMenu])
    }

    @Test func postWhileLoadingIsIgnored() {
        var sim = client()
        let (verdict, transitions) = sim.reconnect(body: [], at: start + .seconds(1))
        #expect(verdict == .ignored)
        #expect(transitions.isEmpty)
        #expect(sim.state == .loading)
    }
}

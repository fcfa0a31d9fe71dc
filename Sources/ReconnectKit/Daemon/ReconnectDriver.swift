import Dispatch
import ReconnectPolicy

/// Runs a `ReconnectLoop` for real: performs the requests it asks for on worker threads, keeps
/// its single wake-up as a one-shot Dispatch timer (none while idle), and feeds the answers back.
///
/// Threading: all state is confined to `queue` (serial). Each HTTP exchange blocks a thread of
/// its own short-lived serial queue, never `queue`, so a hanging client cannot stall readiness
/// detection. Serial queues are "overcommit" in libdispatch: unlike a `.concurrent` queue
/// (which shares a pool capped at the core count), a blocked exchange never starves another.
public final class ReconnectDriver: @unchecked Sendable {
    public let queue: DispatchQueue
    public private(set) var loop: ReconnectLoop
    private var client: DebugClient
    private var password: Secret?
    private let timer: OneShotTimer
    private let onReport: (Report) -> Void

    public init(queue: DispatchQueue, client: DebugClient, password: Secret?, settings: ReconnectSettings, onReport: @escaping (Report) -> Void) {
        self.queue = queue
        self.client = client
        self.password = password
        self.loop = ReconnectLoop(settings: settings)
        self.onReport = onReport
        timer = OneShotTimer(queue: queue)
    }

    /// Call on `queue`.
    public func serverReady(_ trigger: StartTrigger) {
        apply(loop.serverReady(trigger, at: .now()))
    }

    /// Call on `queue`.
    public func serverStopped() {
        apply(loop.serverStopped(at: .now()))
    }

    /// Call on `queue`: new settings from a reload. The loop keeps its start and phase; its next
    /// request goes to the new client with the new password, its next wait uses the new timing.
    public func update(client: DebugClient, password: Secret?, settings: ReconnectSettings) {
        self.client = client
        self.password = password
        loop.settings = settings
    }

    /// Call on `queue`: drop timers (shutdown).
    public func stop() {
        timer.cancel()
    }

    private func apply(_ effects: [Effect]) {
        for effect in effects {
            switch effect {
            case .requestStatus(let ticket):
                DispatchQueue(label: "altv-reconnectd.status").async { [client, queue] in
                    let result = client.status()
                    queue.async { self.apply(self.loop.statusReceived(result, for: ticket, at: .now())) }
                }
            case .postReconnect(let ticket):
                DispatchQueue(label: "altv-reconnectd.reconnect").async { [client, password, queue] in
                    let result = client.reconnect(password: password)
                    queue.async { self.apply(self.loop.reconnectPosted(result, for: ticket, at: .now())) }
                }
            case .wakeUp(let instant, let ticket):
                timer.schedule(after: instant - MonotonicInstant.now()) { [weak self] in
                    guard let self else { return }
                    apply(loop.wakeUpDue(ticket, at: .now()))
                }
            case .cancelWakeUp:
                timer.cancel()
            case .report(let report):
                onReport(report)
            }
        }
    }
}

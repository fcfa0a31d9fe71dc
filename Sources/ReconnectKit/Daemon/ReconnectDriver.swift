import Dispatch
import ReconnectPolicy

/// Runs a `ReconnectLoop` for real: performs the requests it asks for on worker threads, keeps
/// its single wake-up as a one-shot Dispatch timer (none while idle), and feeds the answers back.
///
/// Threading: all state is confined to `queue` (serial; checked). Each HTTP exchange runs on
/// `worker`, never on `queue`, so a hanging client cannot stall readiness detection.
public final class ReconnectDriver: @unchecked Sendable {
    public let queue: DispatchQueue
    private let worker: BlockingWorker
    public private(set) var loop: ReconnectLoop
    private var client: DebugClient
    private var password: Secret?
    private let timer: OneShotTimer
    private let onReport: (Report) -> Void

    public init(queue: DispatchQueue, worker: BlockingWorker = BlockingWorker(), client: DebugClient, password: Secret?, settings: ReconnectSettings,
                onReport: @escaping (Report) -> Void) {
        self.queue = queue
        self.worker = worker
        self.client = client
        self.password = password
        self.loop = ReconnectLoop(settings: settings)
        self.onReport = onReport
        timer = OneShotTimer(queue: queue)
    }

    /// Call on `queue`.
    public func serverReady(_ trigger: StartTrigger) {
        dispatchPrecondition(condition: .onQueue(queue))
        apply(loop.serverReady(trigger, at: .now()))
    }

    /// Call on `queue`.
    public func serverStopped() {
        dispatchPrecondition(condition: .onQueue(queue))
        apply(loop.serverStopped(at: .now()))
    }

    /// Call on `queue`: new settings from a reload. The loop keeps its start and phase; its next
    /// request goes to the new client with the new password, its next wait uses the new timing.
    public func update(client: DebugClient, password: Secret?, settings: ReconnectSettings) {
        dispatchPrecondition(condition: .onQueue(queue))
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
                worker.run { [client, queue] in
                    let result = client.status()
                    queue.async { self.apply(self.loop.statusReceived(result, for: ticket, at: .now())) }
                }
            case .postReconnect(let ticket):
                worker.run { [client, password, queue] in
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

import Dispatch
import Logging
import ReconnectPolicy

/// Runs a `ReconnectLoop` for real: performs the requests it asks for on worker threads, keeps
/// its single wake-up as a one-shot Dispatch timer (none while idle), and feeds the answers back.
///
/// Threading: all state is confined to `queue` (serial; checked). Each HTTP exchange runs on
/// `worker`, never on `queue`, so a hanging client cannot stall readiness detection.
///
/// With `--verbose` every request and answer (with how long it took), every timer armed and
/// cancelled is logged at debug level; the password only as its length.
public final class ReconnectDriver: @unchecked Sendable {
    public let queue: DispatchQueue
    private let worker: BlockingWorker
    public private(set) var loop: ReconnectLoop
    private var client: DebugClient
    private var password: Secret?
    private let timer: OneShotTimer
    private let onReport: (Report) -> Void
    private let logger: Logger

    public init(queue: DispatchQueue, worker: BlockingWorker = BlockingWorker(), client: DebugClient, password: Secret?, settings: ReconnectSettings,
                logger: Logger = Logger(label: "altv-reconnectd"), onReport: @escaping (Report) -> Void) {
        self.queue = queue
        self.logger = logger
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
                logger.debug("GET \(client.endpoint)/status (\(ticket))")
                worker.run { [client, queue, logger] in
                    let sent = MonotonicInstant.now()
                    let result = client.status()
                    let took = MonotonicInstant.now() - sent
                    logger.debug("GET /status (\(ticket)) -> \(Self.shown(result)) in \(DurationText.format(took))")
                    queue.async { self.apply(self.loop.statusReceived(result, for: ticket, at: .now())) }
                }
            case .postReconnect(let ticket):
                logger.debug("POST \(client.endpoint)/reconnect (\(ticket)), body: \(password.map { "the password, \($0.bytes.count) bytes" } ?? "empty")")
                worker.run { [client, password, queue, logger] in
                    let sent = MonotonicInstant.now()
                    let result = client.reconnect(password: password)
                    let took = MonotonicInstant.now() - sent
                    logger.debug("POST /reconnect (\(ticket)) -> \(Self.shown(result.map { "HTTP \($0.statusCode)" })) in \(DurationText.format(took))")
                    queue.async { self.apply(self.loop.reconnectPosted(result, for: ticket, at: .now())) }
                }
            case .wakeUp(let instant, let ticket):
                let delay = instant - MonotonicInstant.now()
                logger.debug("timer: loop wakes up in \(DurationText.format(delay)) (\(ticket), phase \(loop.phase))")
                timer.schedule(after: delay) { [weak self] in
                    guard let self else { return }
                    apply(loop.wakeUpDue(ticket, at: .now()))
                }
            case .cancelWakeUp:
                if timer.isPending { logger.debug("timer: loop wake-up cancelled (phase \(loop.phase))") }
                timer.cancel()
            case .report(let report):
                onReport(report)
            }
        }
    }

    /// An answer for the trace: the status, or why there is none.
    private static func shown<Success>(_ result: Result<Success, ClientError>) -> String {
        switch result {
        case .success(let value): "\(value)"
        case .failure(let error): "\(error)"
        }
    }
}

import Dispatch
import Synchronization

/// Where blocking work runs (an HTTP exchange with the client, a port probe): never on the
/// event queue, so a hanging client cannot stall readiness detection.
///
/// Why not one `.concurrent` queue: on Linux such a queue draws on a thread pool capped at the
/// core count (measured here: six 1-second blocking items on 2 cores took 3 s), so a hanging
/// exchange would delay a probe. A serial queue made by `DispatchQueue(label:)` is "overcommit"
/// and gets a thread of its own when it needs one. So each job runs on a serial queue of its
/// own, taken from a free list and put back when the job ends: two or three queues in steady
/// state, reused, instead of a new queue per request.
public final class BlockingWorker: Sendable {
    private let idle = Mutex<[DispatchQueue]>([])
    private let label: String

    public init(label: String = "altv-reconnectd.work") { self.label = label }

    /// Runs `job` off the caller's queue, at once (never behind another job).
    public func run(_ job: @escaping @Sendable () -> Void) {
        let queue = idle.withLock { $0.popLast() } ?? DispatchQueue(label: label)
        queue.async { [self] in
            job()
            idle.withLock { $0.append(queue) }
        }
    }
}

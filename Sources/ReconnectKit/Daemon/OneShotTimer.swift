import Dispatch
import ReconnectPolicy

/// At most one pending one-shot timer on a queue: scheduling replaces the previous one, firing or
/// cancelling leaves none, so an idle daemon holds no timer at all: no wake-ups while nothing
/// happens. Confined to `queue` (checked).
final class OneShotTimer {
    private let queue: DispatchQueue
    private var source: DispatchSourceTimer?
    /// Bumped on every schedule and cancel, so a firing that raced a replacement does nothing.
    private var generation = 0

    init(queue: DispatchQueue) { self.queue = queue }

    var isPending: Bool { source != nil }

    /// Runs `body` on `queue` after `delay` (1 ms leeway), unless cancelled or replaced first.
    func schedule(after delay: Duration, _ body: @escaping () -> Void) {
        dispatchPrecondition(condition: .onQueue(queue))
        cancel()
        let mine = generation
        let timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: .now() + .nanoseconds(Int(clamping: delay.nanosecondsClamped)), leeway: .milliseconds(1))
        timer.setEventHandler { [weak self] in
            guard let self, mine == generation else { return }
            cancel()
            body()
        }
        source = timer
        timer.resume()
    }

    func cancel() {
        generation += 1
        source?.cancel()
        source = nil
    }
}

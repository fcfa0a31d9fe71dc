import Dispatch
import Logging
import ReconnectPolicy

/// `altv-reconnectd reconnect`: the daemon's loop run once, by hand, with a give-up time.
/// Same policy, same driver, same messages as the daemon: only the trigger differs.
public enum OneShotReconnect {
    public static func run(client: DebugClient, password: Secret?, settings: ReconnectSettings, logger: Logger) -> Outcome {
        let queue = DispatchQueue(label: "altv-reconnectd.reconnect")
        let done = DispatchSemaphore(value: 0)
        final class Box: @unchecked Sendable {
            var driver: ReconnectDriver?
            var outcome: Outcome?
        }
        let box = Box()
        box.driver = ReconnectDriver(queue: queue, client: client, password: password, settings: settings, logger: logger) { report in
            let text = ReportText(report, client: client.endpoint, hasPassword: password != nil, manual: true)
            logger.log(level: text.level, "\(text.message)")
            if case .finished(let outcome) = box.driver?.loop.phase, box.outcome == nil {
                box.outcome = outcome
                done.signal()
            }
        }
        queue.async { box.driver?.serverReady(.manual) }
        done.wait()
        return queue.sync {
            box.driver?.stop()
            return box.outcome ?? .gaveUp
        }
    }
}

import Dispatch
import Logging
import ReconnectPolicy

/// `--keep-connected` (`KeepConnected`): fed from the loop's reports and the server's stops.
extension Daemon {
    /// What the reconnect loop said, as far as keeping the client connected cares.
    func keepConnectedObserves(_ report: Report) {
        switch report {
        case .serverReady(_, let trigger):
            if trigger != .clientDropped { keepConnectedEvent(.serverUp) }
            keepConnectedEvent(.loopStarted)
        case .inGame, .alreadyInGame:
            keepConnectedEvent(.loopFinished(inGame: true, failed: false))
        case .failed:
            keepConnectedEvent(.loopFinished(inGame: false, failed: true))
        case .gaveUp, .serverStopped:
            keepConnectedEvent(.loopFinished(inGame: false, failed: false))
        case .superseded, .client, .unknownStatus, .reconnectSent:
            break
        }
    }

    func keepConnectedEvent(_ event: KeepConnected.Event) {
        dispatchPrecondition(condition: .onQueue(queue))
        guard configuration.keepConnected != nil else { return }
        let effects = keepConnected.handle(event, at: .now())
        if !effects.isEmpty { logger.debug("keep-connected: \(event) -> \(effects)") }
        for effect in effects {
            switch effect {
            case .wakeUp(let instant, let ticket):
                keepConnectedTimer.schedule(after: instant - .now()) { [weak self] in self?.keepConnectedEvent(.wakeUpDue(ticket)) }
            case .cancelWakeUp:
                keepConnectedTimer.cancel()
            case .requestStatus(let ticket):
                let client = configuration.debugClient
                worker.run { [queue] in
                    let result = client.status()
                    queue.async { [weak self] in self?.keepConnectedEvent(.statusAnswered(result, ticket)) }
                }
            case .reconnect:
                driver.serverReady(.clientDropped)
            }
        }
    }
}

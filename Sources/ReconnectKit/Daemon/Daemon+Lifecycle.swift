import Dispatch
import Logging
import ReconnectPolicy
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Signals, the watchdog, stopping.
extension Daemon {
    func installSignalHandlers() {
        signal(SIGPIPE, SIG_IGN)
        for number in [SIGTERM, SIGINT, SIGHUP] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { [weak self] in number == SIGHUP ? self?.reload() : self?.shutDown(signal: number) }
            source.resume()
            signalSources.append(source)
        }
    }

    func startWatchdog() {
        guard notifier.isEnabled, let interval = SystemdNotifier.watchdogPingInterval() else { return }
        // Pinged from the event queue itself: if the queue stalls, the pings stop and systemd
        // restarts us, which is the point of a watchdog.
        let timer = DispatchSource.makeTimerSource(queue: queue)
        let nanoseconds = Int(clamping: interval.nanosecondsClamped)
        timer.schedule(deadline: .now() + .nanoseconds(nanoseconds), repeating: .nanoseconds(nanoseconds), leeway: .milliseconds(100))
        timer.setEventHandler { [notifier] in notifier.watchdogPing() }
        timer.resume()
        watchdog = timer
        publish(.watchdogEnabled(interval))
    }

    /// Stops once: the signal sources are cancelled first, so a second SIGTERM (GNU `timeout`
    /// signals the child and then its group) finds the signal ignored instead of a daemon that
    /// `run` has already returned from.
    func shutDown(signal number: Int32) {
        dispatchPrecondition(condition: .onQueue(queue))
        guard !signalSources.isEmpty else { return }
        for source in signalSources { source.cancel() }
        signalSources = []
        let text = ReportText.stopping(signal: number == SIGINT ? "SIGINT" : "SIGTERM")
        logger.log(level: text.level, "\(text.message)")
        notifier.stopping(status: text.status ?? text.message)
        standby?.stop()
        for source in sources { source.stop() }
        gateTimer.cancel()
        serverRunTimer.cancel()
        keepConnectedTimer.cancel()
        driver.stop()
        watchdog?.cancel()
        stopped.signal()
    }
}

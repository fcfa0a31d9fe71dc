import ClientProtocol
import Dispatch
import LogWatch
import Logging
import ReconnectPolicy
import Systemd
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The long-running watch daemon: log follower → readiness → reconnect loop → client,
/// reporting each state change to the log and to systemd.
///
/// Everything runs on one serial Dispatch queue, woken only by the inotify descriptor,
/// signals, HTTP answers, the loop's own wake-ups and (when systemd asks for it) the watchdog
/// timer. Nothing ticks while nothing happens.
public final class Daemon: @unchecked Sendable {
    public let configuration: DaemonConfiguration
    private let logger: Logger
    private let notifier: SystemdNotifier
    private let queue = DispatchQueue(label: "altv-reconnectd.events")
    private var follower: LogFollower?
    private var driver: ReconnectDriver!
    private var signalSources: [DispatchSourceSignal] = []
    private var watchdog: DispatchSourceTimer?
    private let stopped = DispatchSemaphore(value: 0)

    /// Ready lines seen while reading the content that existed at start.
    private var readyLinesInExistingLog = 0
    private var caughtUp = false

    public init(configuration: DaemonConfiguration, logger: Logger, notifier: SystemdNotifier) {
        self.configuration = configuration
        self.logger = logger
        self.notifier = notifier
    }

    /// Runs until SIGTERM or SIGINT. Throws `ConfigurationError` when the log cannot be watched.
    public func run() throws(ConfigurationError) {
        installSignalHandlers()
        let client = DebugClient(endpoint: configuration.client, requestTimeout: configuration.requestTimeout)
        driver = ReconnectDriver(queue: queue, client: client, password: configuration.password, settings: configuration.reconnect) { [weak self] report in
            self?.publish(ReportText(report, client: client.endpoint))
        }
        let started: Result<Void, ConfigurationError> = queue.sync { startWatching() }
        if case .failure(let error) = started { throw error }
        queue.sync { startWatchdog() }
        stopped.wait()
    }

    // MARK: Start-up

    private func startWatching() -> Result<Void, ConfigurationError> {
        let path = configuration.logFile
        let password = switch (configuration.password, configuration.passwordSource) {
        case (nil, .none): "none"
        case (nil, let origin): "none (\(origin) is empty)"
        case (_, let origin): "from \(origin)"
        }
        logger.info("altv-reconnectd starting: log \(path), ready pattern '\(configuration.readyPattern)', client \(configuration.client), password \(password)")
        do {
            let detector = ReadinessDetector(
                pattern: configuration.readyPattern,
                onReady: { [unowned self] line in readyLine(line) },
                onLongLine: { [unowned self] limit in
                    logger.warning("\(path) has a line longer than \(limit / 1024) KiB; only its first \(limit / 1024) KiB are matched (reported once)")
                }
            )
            let follower = try LogFollower(path: path, queue: queue, sink: detector) { [unowned self] event in followerEvent(event) }
            self.follower = follower
            try follower.start()
        } catch {
            var hint = "check the --log-file path"
            if error.errno == ENOENT { hint = "the directory does not exist; create it or fix --log-file" }
            return .failure(ConfigurationError("cannot watch \(path): \(error); \(hint)", errno: error.errno))
        }
        return .success(())
    }

    private func startWatchdog() {
        guard notifier.isEnabled, let interval = SystemdNotifier.watchdogPingInterval() else { return }
        // Pinged from the event queue itself: if the queue stalls, the pings stop and systemd
        // restarts us, which is the point of a watchdog.
        let timer = DispatchSource.makeTimerSource(queue: queue)
        let nanoseconds = Int(clamping: interval.nanosecondsClamped)
        timer.schedule(deadline: .now() + .nanoseconds(nanoseconds), repeating: .nanoseconds(nanoseconds), leeway: .milliseconds(100))
        timer.setEventHandler { [notifier] in notifier.watchdogPing() }
        timer.resume()
        watchdog = timer
        logger.debug("Watchdog enabled: pinging every \(DurationText.format(interval))")
    }

    private func installSignalHandlers() {
        signal(SIGPIPE, SIG_IGN)
        for number in [SIGTERM, SIGINT] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { [unowned self] in shutDown(signal: number) }
            source.resume()
            signalSources.append(source)
        }
    }

    private func shutDown(signal number: Int32) {
        let name = number == SIGINT ? "SIGINT" : "SIGTERM"
        logger.info("Stopping (\(name))")
        notifier.stopping(status: "Stopping (\(name))")
        follower?.stop()
        driver.stop()
        watchdog?.cancel()
        stopped.signal()
    }

    // MARK: Events

    private func readyLine(_ line: UnsafeRawBufferPointer) {
        if !caughtUp {
            readyLinesInExistingLog += 1
            return
        }
        logger.debug("Ready line: \(Self.shown(line))")
        driver.serverReady(.serverReady)
    }

    private func followerEvent(_ event: LogFollower.Event) {
        let path = configuration.logFile
        switch event {
        case .waitingForFile:
            publish(ReportText(level: .info, message: "Waiting for server log \(path) (it does not exist yet)", status: "Waiting for server log \(path)"))
        case .opened:
            logger.info("Following \(path)")
        case .caughtUp:
            // Start-up is complete: the watches are armed and the existing content is read.
            caughtUp = true
            if readyLinesInExistingLog > 0 {
                driver.serverReady(.alreadyRunning)
            } else if currentStatus == nil {
                publish(ReportText(level: .info, message: "Watching \(path); waiting for the server to start",
                                   status: "Waiting for the server to start (watching \(path))"), notify: false)
            }
            notifier.ready(status: currentStatus ?? "Waiting for the server to start")
        case .truncated:
            logger.info("\(path) was truncated; reading it from the start")
        case .replaced:
            logger.info("\(path) was replaced (rotated or recreated); following the new file")
        case .removed:
            logger.info("\(path) was removed or renamed; still reading the old file until a new one appears")
        case .overflowed:
            logger.warning("The inotify event queue overflowed; looked at \(path) again (no position lost)")
        case .readFailed(let error):
            logger.error("Reading the server log failed: \(error)")
        }
    }

    private var currentStatus: String?

    private func publish(_ text: ReportText, notify: Bool = true) {
        logger.log(level: text.level, "\(text.message)")
        if let status = text.status {
            currentStatus = status
            if notify { notifier.status(status) }
        }
    }

    /// A log line as it may be shown: printable, at most 200 characters.
    static func shown(_ line: UnsafeRawBufferPointer) -> String {
        let text = String(decoding: line.prefix(200), as: UTF8.self)
        return SystemdNotifier.singleLine(text)
    }
}

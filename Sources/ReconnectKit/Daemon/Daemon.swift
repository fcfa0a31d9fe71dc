import Dispatch
import Logging
import ReconnectPolicy
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
    public private(set) var configuration: DaemonConfiguration
    /// The settings behind `configuration`, to say what a reload changed.
    private var settings: Settings
    /// Builds the configuration anew on SIGHUP (nil: reloading is not offered).
    private let reloader: (() throws(ConfigurationError) -> (DaemonConfiguration, Settings))?
    private let logger: Logger
    private let notifier: SystemdNotifier
    private let queue = DispatchQueue(label: "altv-reconnectd.events")
    private var follower: LogFollower?
    private var pidWatcher: PidFileWatcher?
    private var journalFollower: JournalFollower?
    /// The readiness scanners of the log or journal, for a reload's new pattern.
    private var detectors: [ReadinessDetector] = []
    /// The pending readiness: a --ready-delay timer, or the pause between --ready-port probes.
    private lazy var gateTimer = OneShotTimer(queue: queue)
    private var gateGeneration = 0
    /// A --ready-port probe is running (between attempts there is a gate timer instead).
    private var gatePending = false
    private var driver: ReconnectDriver!
    private var signalSources: [DispatchSourceSignal] = []
    private var watchdog: DispatchSourceTimer?
    private let stopped = DispatchSemaphore(value: 0)

    /// Readiness found while starting up (a ready line in the existing log, a running PID).
    private var readinessAtStart = 0
    private var caughtUp = false

    public init(configuration: DaemonConfiguration, settings: Settings = Settings(), logger: Logger, notifier: SystemdNotifier,
                reload: (() throws(ConfigurationError) -> (DaemonConfiguration, Settings))? = nil) {
        self.configuration = configuration
        self.settings = settings
        self.reloader = reload
        self.logger = logger
        self.notifier = notifier
    }

    /// Runs until SIGTERM or SIGINT. Throws `ConfigurationError` when a source cannot be watched.
    public func run() throws(ConfigurationError) {
        installSignalHandlers()
        driver = ReconnectDriver(queue: queue, client: configuration.debugClient, password: configuration.password, settings: configuration.reconnect) { [weak self] report in
            guard let self else { return }
            publish(ReportText(report, client: configuration.client))
        }
        let started: Result<Void, ConfigurationError> = queue.sync { claimClientThenStart() }
        if case .failure(let error) = started { throw error }
        queue.sync { startWatchdog() }
        stopped.wait()
        if let error = queue.sync(execute: { takeOverFailure }) { throw error }
    }

    // MARK: One daemon per client

    /// Held while this daemon drives the client (see `ClientClaim`).
    private var claim: ClientClaim?
    private var standby: ClientClaim.Standby?
    /// Starting the sources failed when taking over from another daemon: `run` throws it.
    private var takeOverFailure: ConfigurationError?

    /// Claims the client and starts the sources, or, while another daemon drives the client,
    /// stands by (READY=1, saying so) and starts them the moment that daemon ends: like a daemon
    /// started late, it then connects the client once if the server is already up.
    private func claimClientThenStart() -> Result<Void, ConfigurationError> {
        let endpoint = configuration.client
        do {
            switch try ClientClaim.attempt(endpoint) {
            case .claimed(let claim):
                self.claim = claim
                return startSources()
            case .heldBy:
                standBy(endpoint: endpoint)
                notifier.ready(status: currentStatus ?? "Standby")
                return .success(())
            }
        } catch {
            return .failure(ConfigurationError("cannot claim the client \(endpoint): \(error)", errno: error.errno))
        }
    }

    /// A reload names another client: claim it (releasing the old one), or say no while another
    /// daemon drives it. A standby waits for the new client's holder instead.
    private func moveClaim(to endpoint: ClientEndpoint) -> Bool {
        if let standby {
            standby.stop()
            standBy(endpoint: endpoint)
            return true
        }
        guard case .claimed(let newClaim)? = try? ClientClaim.attempt(endpoint) else { return false }
        claim = newClaim
        return true
    }

    private func standBy(endpoint: ClientEndpoint) {
        let standby = ClientClaim.Standby(endpoint: endpoint, queue: queue, onHolder: { [unowned self] pid in
            let holder = pid.map { "another altv-reconnectd (PID \($0))" } ?? "another altv-reconnectd"
            publish(ReportText(level: .warning, message: "\(holder) already reconnects \(endpoint); standing by until it stops",
                               status: "Standby: \(holder) already reconnects \(endpoint)"))
        }, onClaimed: { [unowned self] claim in
            self.claim = claim
            self.standby = nil
            logger.notice("The other altv-reconnectd stopped; taking over \(endpoint)")
            if case .failure(let error) = startSources() {
                takeOverFailure = error
                stopped.signal()
            }
        })
        self.standby = standby
        standby.start()
    }

    // MARK: Start-up

    /// Arms every source, reads what exists already, then tells systemd READY=1.
    private func startSources() -> Result<Void, ConfigurationError> {
        let password = switch (configuration.password, configuration.passwordSource) {
        case (nil, .none): "none"
        case (nil, let origin): "none (\(origin) is empty)"
        case (_, let origin): "from \(origin)"
        }
        var sources: [String] = []
        if let log = configuration.logFile { sources.append("log \(log), ready pattern '\(configuration.readyPattern)'") }
        if let unit = configuration.journalUnit { sources.append("journal of \(unit), ready pattern '\(configuration.readyPattern)'") }
        if let pidFile = configuration.pidFile { sources.append("PID file \(pidFile)") }
        if let port = configuration.readyPort { sources.append("ready port \(port)") }
        logger.info("altv-reconnectd starting: \(sources.joined(separator: ", ")), client \(configuration.client), password \(password)")
        if let path = configuration.logFile {
            do {
                let follower = try LogFollower(path: path, queue: queue, sink: readinessDetector(for: path)) { [unowned self] event in followerEvent(event) }
                self.follower = follower
                try follower.start()
            } catch {
                return .failure(Self.watchError(path, option: "--log-file", error))
            }
        }
        if let unit = configuration.journalUnit {
            let journal = JournalFollower(unit: unit, queue: queue, sink: readinessDetector(for: "the journal of \(unit)"))
            do {
                try journal.start()
                journalFollower = journal
                logger.info("Following the journal of \(journal.unit)")
            } catch {
                return .failure(ConfigurationError("cannot read the journal of \(journal.unit): \(error); run as a member of the systemd-journal group or follow the server's log file instead", errno: error.errno))
            }
        }
        if let path = configuration.pidFile {
            do {
                let watcher = try PidFileWatcher(path: path, queue: queue) { [unowned self] event in pidEvent(event) }
                pidWatcher = watcher
                try watcher.start()
            } catch {
                return .failure(Self.watchError(path, option: "--pid-file", error))
            }
        }
        caughtUp = true
        // A PID file saying the server is down outweighs an old ready line in the log.
        let serverDown = pidWatcher != nil && pidWatcher?.runningPid == nil
        if readinessAtStart > 0 && !serverDown {
            signalReadiness(.alreadyRunning)
        } else if currentStatus == nil {
            let watched = configuration.logFile ?? configuration.journalUnit.map { "the journal of \($0)" } ?? configuration.pidFile ?? ""
            publish(ReportText(level: .info, message: "Watching \(watched); waiting for the server to start",
                               status: "Waiting for the server to start (watching \(watched))"), notify: false)
        }
        notifier.ready(status: currentStatus ?? "Waiting for the server to start")
        return .success(())
    }

    /// The sink that turns a source's lines into readiness events.
    private func readinessDetector(for source: String) -> ReadinessDetector {
        let detector = ReadinessDetector(
            pattern: configuration.readyPattern,
            onReady: { [unowned self] line in readyLine(line) },
            onLongLine: { [unowned self] limit in
                logger.warning("\(source) has a line longer than \(limit / 1024) KiB; only its first \(limit / 1024) KiB are matched (reported once)")
            }
        )
        detectors.append(detector)
        return detector
    }

    static func watchError(_ path: String, option: String, _ error: SystemError) -> ConfigurationError {
        if let limit = error.inotifyLimit { return ConfigurationError("cannot watch \(path): \(limit)", errno: error.errno) }
        var hint = "check the \(option) path"
        if error.errno == ENOENT || error.errno == ENOTDIR { hint = "the directory does not exist; create it or fix \(option)" }
        return ConfigurationError("cannot watch \(path): \(error); \(hint)", errno: error.errno)
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
        for number in [SIGTERM, SIGINT, SIGHUP] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { [unowned self] in number == SIGHUP ? reload() : shutDown(signal: number) }
            source.resume()
            signalSources.append(source)
        }
    }

    // MARK: Reload

    /// SIGHUP: read the configuration and the password again and apply them without touching
    /// the current start (its number, phase and pending request carry on). A configuration that
    /// does not load leaves the running one in place. Sources (log-file, pid-file, journal-unit)
    /// stay as they are until a restart: re-arming them could replay an old ready line.
    private func reload() {
        notifier.reloading(status: "Reloading the configuration")
        guard let reloader else {
            logger.notice("SIGHUP: nothing to reload", metadata: ["ALTV_EVENT": "reloaded"])
            notifier.ready(status: currentStatus ?? "Waiting for the server to start")
            return
        }
        let newConfiguration: DaemonConfiguration
        var newSettings: Settings
        do {
            (newConfiguration, newSettings) = try reloader()
        } catch {
            logger.error("Reload failed, keeping the previous configuration: \(error.message)",
                         metadata: ["ALTV_EVENT": "reload_failed", "MESSAGE_ID": .string(MessageID.reloadFailed)])
            notifier.ready(status: "Reload failed (\(error.message)); running with the previous configuration")
            return
        }
        let changed = newSettings.changedKeys(from: settings)
        let kept = changed.filter(\.isSource)
        var applied = newConfiguration
        (applied.logFile, applied.pidFile, applied.journalUnit) = (configuration.logFile, configuration.pidFile, configuration.journalUnit)
        var clientNote = ""
        if applied.client != configuration.client && !moveClaim(to: applied.client) {
            clientNote = "; \(applied.client) is reconnected by another altv-reconnectd, so \(configuration.client) is kept"
            applied.client = configuration.client
            newSettings.client = configuration.client
        }
        configuration = applied
        settings = newSettings
        (settings.logFile, settings.pidFile, settings.journalUnit) = (configuration.logFile, configuration.pidFile, configuration.journalUnit)
        for detector in detectors { detector.pattern = applied.readyPattern }
        driver.update(client: applied.debugClient, password: applied.password, settings: applied.reconnect)
        let appliedKeys = changed.filter { !$0.isSource }
        var message = appliedKeys.isEmpty ? "Reloaded: no setting changed" : "Reloaded: \(appliedKeys.map(\.rawValue).joined(separator: ", ")) changed"
        message += "; password re-read (\(applied.password == nil ? "none" : "from \(applied.passwordSource)"))" + clientNote
        if !kept.isEmpty {
            message += "; \(kept.map(\.rawValue).joined(separator: ", ")) changed too, which takes a restart (systemctl restart) to apply"
        }
        logger.notice("\(message)", metadata: ["ALTV_EVENT": "reloaded", "MESSAGE_ID": .string(MessageID.reloaded)])
        notifier.ready(status: currentStatus ?? "Waiting for the server to start")
    }

    private func shutDown(signal number: Int32) {
        let name = number == SIGINT ? "SIGINT" : "SIGTERM"
        logger.info("Stopping (\(name))")
        notifier.stopping(status: "Stopping (\(name))")
        standby?.stop()
        follower?.stop()
        pidWatcher?.stop()
        journalFollower?.stop()
        cancelGate()
        driver.stop()
        watchdog?.cancel()
        stopped.signal()
    }

    // MARK: Events

    private func readyLine(_ line: UnsafeRawBufferPointer) {
        if !caughtUp {
            readinessAtStart += 1
            return
        }
        logger.debug("Ready line: \(Self.shown(line))")
        signalReadiness(.serverReady)
    }

    private func followerEvent(_ event: LogFollower.Event) {
        guard let path = configuration.logFile else { return }
        switch event {
        case .waitingForFile:
            publish(ReportText(level: .info, message: "Waiting for server log \(path) (it does not exist yet)", status: "Waiting for server log \(path)"))
        case .waitingForDirectory(let directory):
            publish(ReportText(level: .info, message: "Waiting for \(directory) to exist (it holds the server log \(path))", status: "Waiting for \(directory) to exist"))
        case .unusable(let problem):
            let what = switch problem {
            case .isDirectory: "is a directory, not a log file; fix --log-file"
            case .notRegularFile: "is not a regular file; fix --log-file"
            case .permissionDenied: "permission denied: run as the server's user or add yourself to its group"
            }
            publish(ReportText(level: .warning, message: "Server log \(path) \(what); waiting until it can be read", status: "Server log \(path) \(what)"))
        case .watchFailed(let error):
            logger.error("Cannot watch \(path) any more: \(error.inotifyLimit ?? error.description)")
        case .opened:
            logger.info("Following \(path)")
        case .caughtUp:
            break  // start-up continues in startSources()
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

    private func pidEvent(_ event: PidFileWatcher.Event) {
        guard let path = configuration.pidFile else { return }
        switch event {
        case .waitingForFile:
            publish(ReportText(level: .info, message: "Waiting for PID file \(path) (it does not exist yet)", status: "Waiting for PID file \(path)"))
        case .started(let pid, let atStart):
            if configuration.logFile != nil || configuration.journalUnit != nil {
                publish(ReportText(level: .info, message: "Server process \(pid) \(atStart ? "is running" : "started"); waiting for its ready line",
                                   status: "Server starting (PID \(pid)), waiting for the ready line"))
            } else if atStart {
                logger.info("Server process \(pid) is running")
                if caughtUp { signalReadiness(.alreadyRunning) } else { readinessAtStart += 1 }
            } else {
                publish(ReportText(level: .info, message: "Server process \(pid) started" + (configuration.readyDelay > .zero ? "; ready in \(DurationText.format(configuration.readyDelay))" : ""),
                                   status: "Server starting (PID \(pid))"))
                afterReadyDelay { [unowned self] in signalReadiness(.serverReady) }
            }
        case .exited(let pid):
            let wasPending = gateTimer.isPending || gatePending
            cancelGate()
            let wasActive = driver.loop.phase.isActive
            driver.serverStopped()
            let detail = wasPending ? ": server stopped before ready" : wasActive ? "" : "; waiting for the next start"
            publish(ReportText(level: .info, message: "Server process \(pid) exited\(detail)",
                               status: "Server stopped (PID \(pid) exited); waiting for the next start"))
        case .stale(let pid):
            publish(ReportText(level: .info, message: "PID file \(path) names PID \(pid), which is not running: the server is down",
                               status: "Server down (stale PID \(pid)); waiting for the next start"))
        case .invalid(let text):
            logger.warning("PID file \(path) holds '\(text)', not a process ID; ignoring it until it does")
        }
    }

    // MARK: Readiness gate

    /// The server signalled readiness: reconnect now, or first wait for --ready-port to accept.
    private func signalReadiness(_ trigger: StartTrigger) {
        cancelGate()
        guard let port = configuration.readyPort else {
            driver.serverReady(trigger)
            return
        }
        publish(ReportText(level: .info, message: "Server ready; waiting for port \(port) to accept connections",
                           status: "Server ready, waiting for port \(port)"))
        gatePending = true
        probe(PortProbe(port: port), trigger: trigger, generation: gateGeneration, backoff: Backoff())
    }

    /// One connect attempt off the queue; on failure another after the backoff, while still wanted.
    private func probe(_ probe: PortProbe, trigger: StartTrigger, generation: Int, backoff: Backoff) {
        DispatchQueue(label: "altv-reconnectd.probe").async { [queue] in
            let accepted = probe.accepts()
            queue.async { [unowned self] in
                guard generation == gateGeneration else { return }
                if accepted {
                    gatePending = false
                    logger.debug("Port \(probe.port) accepts connections")
                    driver.serverReady(trigger)
                    return
                }
                var backoff = backoff
                gateTimer.schedule(after: backoff.nextDelay()) { [unowned self] in
                    self.probe(probe, trigger: trigger, generation: generation, backoff: backoff)
                }
            }
        }
    }

    private func afterReadyDelay(_ body: @escaping () -> Void) {
        cancelGate()
        guard configuration.readyDelay > .zero else { return body() }
        gateTimer.schedule(after: configuration.readyDelay, body)
    }

    /// A newer start or the server's exit drops a pending delay or probe.
    private func cancelGate() {
        gateTimer.cancel()
        gatePending = false
        gateGeneration += 1
    }

    private var currentStatus: String?

    private func publish(_ text: ReportText, notify: Bool = true) {
        logger.log(level: text.level, "\(text.message)", metadata: text.fields.isEmpty ? nil : text.metadata)
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

import Dispatch
import Logging
import ReconnectPolicy

/// The long-running watch daemon: wiring, not policy. Sources of server events feed the
/// `ReadinessGate`, whose "server ready" starts the `ReconnectLoop` (through `ReconnectDriver`);
/// every report of the three goes to the log and to systemd as one `ReportText`.
///
/// Everything runs on one serial Dispatch queue (checked at each entry), woken only by the
/// sources' descriptors, signals, answers from the worker, the gate's and the loop's own
/// wake-ups and (when systemd asks for it) the watchdog timer. Nothing ticks while nothing
/// happens. Blocking work (HTTP, port probes) runs on `worker`.
///
/// The other parts are in extensions: Daemon+Claim (one daemon per client), Daemon+Reload
/// (SIGHUP), Daemon+Lifecycle (signals, watchdog, stop).
public final class Daemon: @unchecked Sendable {
    public internal(set) var configuration: DaemonConfiguration
    /// Builds the configuration anew on SIGHUP (nil: reloading is not offered).
    let reloader: (() throws(ConfigurationError) -> DaemonConfiguration)?
    let logger: Logger
    let notifier: SystemdNotifier
    let queue = DispatchQueue(label: "altv-reconnectd.events")
    let worker = BlockingWorker()
    var sources: [any ServerEventSource] = []
    var gate: ReadinessGate
    lazy var gateTimer = OneShotTimer(queue: queue)
    /// What the server did, start by start (resource errors, crash, shutdown, stalled start).
    var serverRun: ServerRun
    lazy var serverRunTimer = OneShotTimer(queue: queue)
    /// `--keep-connected`: checks the client while the server runs (idle otherwise).
    var keepConnected: KeepConnected
    lazy var keepConnectedTimer = OneShotTimer(queue: queue)
    var driver: ReconnectDriver!
    var signalSources: [DispatchSourceSignal] = []
    var watchdog: DispatchSourceTimer?
    let stopped = DispatchSemaphore(value: 0)
    /// Held while this daemon drives the client (see `ClientClaim`).
    var claim: ClientClaim?
    var standby: ClientClaim.Standby?
    /// Starting the sources failed when taking over from another daemon: `run` throws it.
    var takeOverFailure: ConfigurationError?
    /// The last STATUS= sent, repeated with READY=1 after a reload.
    var currentStatus: String?

    public init(configuration: DaemonConfiguration, logger: Logger, notifier: SystemdNotifier,
                reload: (() throws(ConfigurationError) -> DaemonConfiguration)? = nil) {
        self.configuration = configuration
        self.reloader = reload
        self.logger = logger
        self.notifier = notifier
        gate = ReadinessGate(configuration: Self.gateConfiguration(configuration, sources: []))
        serverRun = ServerRun(configuration: ServerRun.Configuration(startTimeout: configuration.startTimeout))
        keepConnected = KeepConnected(interval: configuration.keepConnected ?? .seconds(5))
    }

    /// Runs until SIGTERM or SIGINT. Throws `ConfigurationError` when a source cannot be watched.
    public func run() throws(ConfigurationError) {
        installSignalHandlers()
        driver = ReconnectDriver(queue: queue, worker: worker, client: configuration.debugClient, password: configuration.password,
                                 settings: configuration.reconnect, logger: logger) { [weak self] report in
            guard let self else { return }
            publish(ReportText(report, client: configuration.client, hasPassword: configuration.password != nil, serverDebugOff: configuration.serverDebugOff,
                               resourceErrors: serverRun.resourceErrorsAtReady))
            keepConnectedObserves(report)
        }
        let started: Result<Void, ConfigurationError> = queue.sync { claimClientThenStart() }
        if case .failure(let error) = started { throw error }
        queue.sync { startWatchdog() }
        stopped.wait()
        if let error = queue.sync(execute: { takeOverFailure }) { throw error }
    }

    // MARK: Start-up

    /// Arms every source (each reads what exists already), tells the gate it has caught up,
    /// then tells systemd READY=1.
    func startSources() -> Result<Void, ConfigurationError> {
        dispatchPrecondition(condition: .onQueue(queue))
        sources = ServerEventSources.make(for: configuration)
        gate.configuration = Self.gateConfiguration(configuration, sources: sources)
        publish(.starting(sources: sources.map(\.summary), readyPort: configuration.readyPort, client: configuration.client,
                          password: configuration.password, passwordSource: configuration.passwordSource,
                          timings: configuration.reconnect, requestTimeout: configuration.requestTimeout))
        if case .file(let path) = configuration.passwordSource, let exposure = PasswordSource.exposure(of: path) {
            publish(ReportText(level: .warning, message: "The \(exposure)", status: nil))
        }
        if let folder = configuration.serverFolder, let reading = configuration.serverToml {
            for text in ReportText.serverToml(reading, in: folder, atStart: true, passwordSource: configuration.passwordSource) { publish(text) }
        }
        for source in sources {
            do {
                try source.start(on: queue) { [weak self] event in self?.serverEvent(event) }
            } catch {
                return .failure(error)
            }
        }
        serverRunEvent(.caughtUp)
        gateEvent(.caughtUp)
        notifier.ready(status: currentStatus ?? ReportText.defaultStatus)
        return .success(())
    }

    static func gateConfiguration(_ configuration: DaemonConfiguration, sources: [any ServerEventSource]) -> ReadinessGate.Configuration {
        let roles = sources.reduce(into: SourceRole()) { $0.formUnion($1.role) }
        return ReadinessGate.Configuration(hasReadyLines: roles.contains(.readyLines), watchesProcess: roles.contains(.processLifetime),
                                           readyDelay: configuration.readyDelay, readyPort: configuration.readyPort)
    }

    // MARK: Events

    /// What a source saw.
    private func serverEvent(_ event: ServerEvent) {
        dispatchPrecondition(condition: .onQueue(queue))
        switch event {
        case .readyLine(let shown):
            if gate.isCaughtUp { publish(.readyLine(shown)) }
            serverRunEvent(.line(.ready))
            gateEvent(.readyLine)
        case .serverLine(let line):
            serverRunEvent(.line(line))
        case .output(let lastLine):
            serverRunEvent(.output(lastLine: lastLine))
        case .outputRestarted:
            serverRunEvent(.outputRestarted)
        case .processStarted(let pid, let alreadyRunning):
            gateEvent(.processStarted(pid: pid, alreadyRunning: alreadyRunning))
        case .processExited(let pid):
            gateEvent(.processExited(pid: pid, reconnectActive: driver.loop.phase.isActive))
            // Without lines there is no shutdown line to tell a crash from a stop.
            if gate.configuration.hasReadyLines { serverRunEvent(.processExited) }
        case .serverToml(let reading):
            serverTomlChanged(reading)
        case .report(let text):
            publish(text)
        }
        switch event {
        case .report, .readyLine, .output: break  // said already, or one per chunk read
        default: logger.debug("source: \(event)")
        }
    }

    /// Feeds the readiness gate and carries out what it decides.
    private func gateEvent(_ event: ReadinessGate.Event) {
        dispatchPrecondition(condition: .onQueue(queue))
        let effects = gate.handle(event, at: .now())
        logger.debug("readiness: \(event) -> \(effects.isEmpty ? "nothing" : effects.map { "\($0)" }.joined(separator: ", "))")
        for effect in effects {
            switch effect {
            case .probe(let port, let ticket):
                let probe = PortProbe(port: port)
                worker.run { [queue] in
                    let accepted = probe.accepts()
                    queue.async { [weak self] in self?.gateEvent(.probeAnswered(accepted: accepted, ticket)) }
                }
            case .wakeUp(let instant, let ticket):
                gateTimer.schedule(after: instant - .now()) { [weak self] in self?.gateEvent(.wakeUpDue(ticket)) }
            case .cancelWakeUp:
                gateTimer.cancel()
            case .serverReady(let trigger):
                driver.serverReady(trigger)
            case .serverStopped:
                driver.serverStopped()
                keepConnectedEvent(.serverDown)
            case .report(.waitingForStart):
                // Only when nothing was said yet (a missing log says what it waits for instead).
                if currentStatus == nil { publish(ReportText(.waitingForStart, watching: sources.first?.watched ?? ""), notify: false) }
            case .report(let report):
                publish(ReportText(report, watching: sources.first?.watched ?? ""))
            }
        }
    }

    /// Feeds `ServerRun` and carries out what it decides.
    func serverRunEvent(_ event: ServerRun.Event) {
        dispatchPrecondition(condition: .onQueue(queue))
        let effects = serverRun.handle(event, at: .now())
        if !effects.isEmpty { logger.debug("server: \(SystemdNotifier.singleLine("\(event)")) -> \(effects.map { "\($0)" }.joined(separator: ", "))") }
        for effect in effects {
            switch effect {
            case .wakeUp(let instant, let ticket):
                serverRunTimer.schedule(after: instant - .now()) { [weak self] in self?.serverRunEvent(.wakeUpDue(ticket)) }
            case .cancelWakeUp:
                serverRunTimer.cancel()
            case .serverDown:
                gateEvent(.serverDown)
            case .report(let report):
                publish(ReportText(report, start: driver.loop.start))
            }
        }
    }

    /// One log line (with its journal fields) and, when the text has one, one STATUS=.
    func publish(_ text: ReportText, notify: Bool = true) {
        logger.log(level: text.level, "\(text.message)", metadata: text.fields.isEmpty ? nil : text.metadata)
        if let status = text.status {
            currentStatus = status
            if notify { notifier.status(status) }
        }
    }
}

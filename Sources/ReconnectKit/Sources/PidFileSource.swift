import Dispatch
import ReconnectPolicy

/// `--pid-file`: the server's process, through its PID file and a pidfd (`PidFileWatcher`): a
/// new PID is a new start, the process's exit stops a pending reconnect.
final class PidFileSource: ServerEventSource {
    let path: String
    private var watcher: PidFileWatcher?

    static func make(for configuration: DaemonConfiguration) -> PidFileSource? {
        configuration.settings[\.pidFile].map(PidFileSource.init(path:))
    }

    init(path: String) { self.path = path }

    var role: SourceRole { .processLifetime }
    var summary: String { "PID file \(path)" }
    var watched: String { path }

    func start(on queue: DispatchQueue, emit: @escaping (ServerEvent) -> Void) throws(ConfigurationError) {
        do {
            let watcher = try PidFileWatcher(path: path, queue: queue) { [path] event in
                switch event {
                case .started(let pid, let atStart): emit(.processStarted(pid: pid, alreadyRunning: atStart))
                case .exited(let pid): emit(.processExited(pid: pid))
                case .waitingForFile, .stale, .invalid: if let text = ReportText.pidFile(path, event) { emit(.report(text)) }
                }
            }
            self.watcher = watcher
            try watcher.start()
        } catch {
            throw .cannotWatch(path, option: "--pid-file", error)
        }
    }

    func reload(_ configuration: DaemonConfiguration) {}

    func stop() { watcher?.stop() }
}

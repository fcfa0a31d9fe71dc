import Dispatch
import ReconnectPolicy

/// `--server-dir`: the server's `server.toml`, watched so that a changed password, `debug` or
/// `port` is used without a restart. It gives no ready lines (the folder's `server.log` is
/// followed by `LogFileSource`); it reports what the file says when that changes.
final class ServerFolderSource: ServerEventSource {
    let folder: ServerFolder
    /// What the file said last (at first: when the configuration was made).
    private var last: ServerToml.Reading?
    private var watcher: WatchedFile?

    static func make(for configuration: DaemonConfiguration) -> ServerFolderSource? {
        configuration.serverFolder.map { ServerFolderSource(folder: $0, reading: configuration.serverToml) }
    }

    init(folder: ServerFolder, reading: ServerToml.Reading?) {
        self.folder = folder
        last = reading
    }

    var role: SourceRole { [] }
    var summary: String { "server folder \(folder)" }
    var watched: String { folder.serverToml }

    func start(on queue: DispatchQueue, emit: @escaping (ServerEvent) -> Void) throws(ConfigurationError) {
        let path = folder.serverToml
        do {
            let watcher = try WatchedFile(path: path, queue: queue) { [weak self] in
                guard let self else { return }
                let reading = ServerToml.read(path)
                guard reading != last else { return }
                last = reading
                emit(.serverToml(reading))
            }
            try watcher.start()
            self.watcher = watcher
        } catch {
            throw .cannotWatch(path, option: "--server-dir", error)
        }
    }

    /// A reload reads server.toml again itself (`Settings.resolve`): compare with that from now on.
    func reload(_ configuration: DaemonConfiguration) {
        if let reading = configuration.serverToml { last = reading }
    }

    func stop() { watcher?.stop() }
}

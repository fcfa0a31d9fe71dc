import Dispatch
import ReconnectPolicy

/// `--server-dir`: what the server's server.toml says, applied while running.
extension Daemon {
    /// server.toml changed. Its password is used from now on unless a password file or the
    /// credential gives one (they win, `PasswordSource`); a file that no longer reads (a typo,
    /// removed) leaves the values it had in place, and says so: the server itself will not start
    /// with it either, and a lost password would only add a second failure.
    func serverTomlChanged(_ reading: ServerToml.Reading) {
        dispatchPrecondition(condition: .onQueue(queue))
        guard let folder = configuration.serverFolder else { return }
        let debugWasOff = configuration.serverDebugOff
        if case .read(let values) = reading {
            configuration.serverToml = reading
            switch configuration.passwordSource {
            case .none, .serverToml:
                configuration.password = values.password
                configuration.passwordSource = values.password == nil ? .none : .serverToml(folder.serverToml)
                driver.update(client: configuration.debugClient, password: configuration.password, settings: configuration.reconnect)
            case .file, .credential:
                break
            }
        }
        for text in ReportText.serverToml(reading, in: folder, atStart: false, passwordSource: configuration.passwordSource, debugWasOff: debugWasOff) {
            publish(text)
        }
    }
}

import Dispatch
import Logging
import ReconnectPolicy

/// SIGHUP.
extension Daemon {
    /// Reads the configuration and the password again and applies them without touching the
    /// current start (its number, phase and pending request carry on). A configuration that does
    /// not load leaves the running one in place. What to watch (the settings whose `reload` is
    /// `.takesRestart`) stays as it is until a restart: re-arming a source could replay an old
    /// ready line.
    func reload() {
        dispatchPrecondition(condition: .onQueue(queue))
        notifier.reloading(status: ReportText.reloading)
        guard let reloader else {
            publish(.nothingToReload)
            notifier.ready(status: currentStatus ?? ReportText.defaultStatus)
            return
        }
        var applied: DaemonConfiguration
        do {
            applied = try reloader()
        } catch {
            // Said now; the STATUS= is not kept as the current one (the next change replaces it).
            let text = ReportText.reloadFailed(error.message)
            logger.log(level: text.level, "\(text.message)", metadata: text.metadata)
            notifier.ready(status: text.status ?? text.message)
            return
        }
        let running = configuration.settings
        var newSettings = applied.settings
        let changed = newSettings.changes(from: running)
        // What to watch keeps its running values, so that the sources stay as they are and the
        // next reload compares against what runs.
        for setting in SettingsTable.all where setting.reload == .takesRestart {
            setting.copy(from: running, to: &newSettings, clearing: true)
        }
        var keptClient: (wanted: ClientEndpoint, kept: ClientEndpoint)?
        if applied.client != configuration.client && !moveClaim(to: applied.client) {
            keptClient = (applied.client, configuration.client)
            applied.client = configuration.client
            newSettings[\.client] = configuration.client
        }
        applied.settings = newSettings
        configuration = applied
        for source in sources { source.reload(applied) }
        gate.configuration = Self.gateConfiguration(applied, sources: sources)
        serverRun.configuration.startTimeout = applied.startTimeout
        // Turned on, it begins with the next start (it has not followed this one); turned off, now.
        keepConnected.interval = applied.keepConnected ?? keepConnected.interval
        if applied.keepConnected == nil { keepConnectedTimer.cancel() }
        driver.update(client: applied.debugClient, password: applied.password, settings: applied.reconnect)
        publish(.reloaded(applied: changed.filter { $0.reload == .applies }.map(\.name), needRestart: changed.filter { $0.reload == .takesRestart }.map(\.name),
                          password: applied.password, passwordSource: applied.passwordSource, keptClient: keptClient))
        notifier.ready(status: currentStatus ?? ReportText.defaultStatus)
    }
}

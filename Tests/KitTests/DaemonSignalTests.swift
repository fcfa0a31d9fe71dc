import Foundation
import Logging
import ReconnectKit
import ReconnectPolicy
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// The daemon in this very process, stopped by signals to the process. GNU `timeout` sends
/// SIGTERM to the daemon and then to its group, and a terminal's ^C can follow a SIGINT: a second
/// signal that arrives after the first was handled used to run the whole stop again (a second
/// "Stopping (SIGTERM)" line and STATUS=). Deterministic here: the second signal is sent only
/// after `run` has returned.
@Suite(.serialized) struct DaemonSignalTests {
    @Test func aSecondSignalDoesNotStopItAgain() throws {
        let directory = TemporaryDirectory()
        var settings = Settings()
        settings[\.logFile] = directory.file("server.log")
        let messages = Locked<[String]>([])
        let logger = Logger(label: "test") { _ in RecordingLogHandler(messages: messages) }
        let daemon = Daemon(configuration: try settings.resolve(environment: [:]), logger: logger, notifier: SystemdNotifier(environment: [:]))
        let returned = DispatchSemaphore(value: 0)
        Thread {
            _ = try? daemon.run()
            returned.signal()
        }.start()
        #expect(waitUntil { messages.current.contains { $0.hasPrefix("Waiting for server log") } }, "the daemon did not start")
        kill(getpid(), SIGTERM)
        #expect(returned.wait(timeout: .now() + 5) == .success, "SIGTERM did not stop the daemon")
        kill(getpid(), SIGTERM)
        kill(getpid(), SIGINT)
        usleep(300_000)
        #expect(messages.current.filter { $0.hasPrefix("Stopping") } == ["Stopping (SIGTERM)"], "\(messages.current)")
    }
}

/// Keeps every message logged.
private struct RecordingLogHandler: LogHandler {
    let messages: Locked<[String]>
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }
    func log(event: LogEvent) {
        messages.with { $0.append(event.message.description) }
    }
}

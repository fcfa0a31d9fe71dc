import Foundation
import ReconnectKit
import ReconnectPolicy
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Every text the daemon can log or send as `STATUS=`, with its level and journal fields,
/// against a golden file. Users filter the journal on these fields (`ALTV_EVENT=`,
/// `MESSAGE_ID=`) and scripts read `systemctl status`: a change here is a change they see, so it
/// must be deliberate. After one, regenerate with `ALTV_UPDATE_GOLDEN=1 swift test --filter
/// ReportTextTests` and review the diff of `Golden/report-texts.txt`.
@Suite struct ReportTextTests {
    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden/report-texts.txt").path

    static let client = ClientEndpoint.default

    /// One sample of every text.
    static var samples: [(String, ReportText)] {
        var samples: [(String, ReportText)] = []
        func add(_ name: String, _ text: ReportText?) {
            guard let text else { Issue.record("\(name) has no text"); return }
            samples.append((name, text))
        }
        // The reconnect loop.
        let loopReports: [(String, Report)] = [
            ("loop.serverReady", .serverReady(start: 3, trigger: .serverReady)),
            ("loop.alreadyRunning", .serverReady(start: 1, trigger: .alreadyRunning)),
            ("loop.manual", .serverReady(start: 1, trigger: .manual)),
            ("loop.clientDropped", .serverReady(start: 4, trigger: .clientDropped)),
            ("loop.superseded", .superseded(start: 2, by: 3)),
            ("loop.clientReady", .client(start: 3, .status(.mainMenu), afterReconnect: false)),
            ("loop.clientLoading", .client(start: 3, .status(.loading), afterReconnect: false)),
            ("loop.clientRefused", .client(start: 3, .unreachable(.connectionRefused), afterReconnect: false)),
            ("loop.clientTimedOut", .client(start: 3, .unreachable(.responseTimedOut), afterReconnect: false)),
            ("loop.clientReconnecting", .client(start: 3, .status(.connecting), afterReconnect: true)),
            ("loop.unknownStatus", .unknownStatus("WARMING_UP")),
            ("loop.reconnectSent", .reconnectSent(start: 3, from: .mainMenu, answer: .answered(statusCode: 200))),
            ("loop.reconnectSentNoAnswer", .reconnectSent(start: 3, from: .inGame, answer: .noAnswer(.connectionClosed))),
            ("loop.inGame", .inGame(start: 3, sinceReady: .milliseconds(4200))),
            ("loop.failedMenu", .failed(start: 3, .backInMainMenu)),
            ("loop.failedError", .failed(start: 3, .clientError)),
            ("loop.failedTimeout", .failed(start: 3, .verifyTimedOut(last: .status(.connecting)))),
            ("loop.alreadyInGame", .alreadyInGame(start: 1)),
            ("loop.gaveUp", .gaveUp(start: 1, last: .unreachable(.connectionRefused))),
            ("loop.serverStopped", .serverStopped(start: 4)),
        ]
        for (name, report) in loopReports { add(name, ReportText(report, client: client, hasPassword: true)) }
        // Without a password the failure hint differs; a one-shot reconnect counts attempts.
        add("loop.failedNoPassword", ReportText(.failed(start: 3, .backInMainMenu), client: client, hasPassword: false))
        add("loop.anotherProgram", ReportText(.client(start: 3, .unreachable(.anotherProgram(what: "HTTP 404 for GET /status")), afterReconnect: false),
                                              client: client, hasPassword: true))
        add("oneShot.inGame", ReportText(.inGame(start: 1, sinceReady: .milliseconds(1100)), client: client, hasPassword: true, manual: true))
        add("oneShot.client", ReportText(.client(start: 1, .unreachable(.connectionRefused), afterReconnect: false), client: client, hasPassword: false, manual: true))
        // The readiness gate.
        let gateReports: [(String, ReadinessGate.Report)] = [
            ("gate.waitingForStart", .waitingForStart),
            ("gate.processRunning", .processRunning(pid: 42)),
            ("gate.awaitingLine", .processAwaitingReadyLine(pid: 42, alreadyRunning: false)),
            ("gate.awaitingLineRunning", .processAwaitingReadyLine(pid: 42, alreadyRunning: true)),
            ("gate.processStarted", .processStarted(pid: 42, readyDelay: .zero)),
            ("gate.processStartedDelay", .processStarted(pid: 42, readyDelay: .milliseconds(300))),
            ("gate.exitedBeforeReady", .processExited(pid: 42, .beforeReady)),
            ("gate.exitedDuringReconnect", .processExited(pid: 42, .reconnect)),
            ("gate.exitedIdle", .processExited(pid: 42, .idle)),
            ("gate.waitingForPort", .waitingForPort(7788)),
            ("gate.portAccepts", .portAccepts(7788)),
        ]
        for (name, report) in gateReports { add(name, ReportText(report, watching: "/srv/server.log")) }
        // The sources.
        let log = "/srv/server.log"
        let failure = SystemError(operation: "read", path: log, errno: EIO)
        let followerEvents: [(String, LogFollower.Event)] = [
            ("log.waitingForFile", .waitingForFile), ("log.waitingForDirectory", .waitingForDirectory("/srv/")),
            ("log.isDirectory", .unusable(.isDirectory)), ("log.notRegularFile", .unusable(.notRegularFile)),
            ("log.permissionDenied", .unusable(.permissionDenied)), ("log.opened", .opened), ("log.truncated", .truncated),
            ("log.replaced", .replaced), ("log.removed", .removed), ("log.overflowed", .overflowed), ("log.readFailed", .readFailed(failure)),
            ("log.watchFailed", .watchFailed(SystemError(operation: "inotify_add_watch", path: "/srv", errno: ENOSPC))),
        ]
        for (name, event) in followerEvents { add(name, ReportText.logFile(log, event)) }
        #expect(ReportText.logFile(log, .caughtUp) == nil)
        let pid = "/srv/server.pid"
        add("pid.waitingForFile", ReportText.pidFile(pid, .waitingForFile))
        add("pid.stale", ReportText.pidFile(pid, .stale(pid: 4242)))
        add("pid.invalid", ReportText.pidFile(pid, .invalid("abc")))
        #expect(ReportText.pidFile(pid, .started(pid: 1, atStart: false)) == nil && ReportText.pidFile(pid, .exited(pid: 1)) == nil)
        add("source.longLine", .longLine(in: log, limit: 64 * 1024))
        add("source.readyLine", .readyLine("[12:00:00] Server started"))
        add("journal.following", .followingJournal("altv-server.service"))
        // The daemon.
        add("daemon.starting", .starting(sources: ["log \(log), ready pattern 'Server started'", "PID file \(pid)"], readyPort: 7788, client: client,
                                         password: Secret(Array("hunter2".utf8)), passwordSource: .file("/etc/pw"),
                                         timings: ReconnectSettings(), requestTimeout: .seconds(2)))
        add("daemon.startingNoPassword", .starting(sources: ["log \(log), ready pattern 'Server started'"], readyPort: nil, client: client,
                                                   password: nil, passwordSource: .credential("/run/credentials/x/password"),
                                                   timings: ReconnectSettings(pollInterval: .milliseconds(100), verifyTimeout: .seconds(90), settleDelay: .milliseconds(1500)),
                                                   requestTimeout: .milliseconds(500)))
        // The server folder.
        let folder = ServerFolder("/srv/altv")
        let values = ServerToml(password: Secret(Array("hunter2".utf8)), debug: true, port: 7788)
        let serverTomlSamples: [(String, ServerToml.Reading, Bool, PasswordSource.Origin, Bool)] = [
            ("serverToml.read", .read(values), true, .serverToml(folder.serverToml), false),
            ("serverToml.debugOff", .read(ServerToml(debug: false)), true, .none, false),
            ("serverToml.overridden", .read(values), true, .file("/etc/pw"), false),
            ("serverToml.changedDebugOn", .read(values), false, .serverToml(folder.serverToml), true),
            ("serverToml.missing", .missing, true, .none, false),
            ("serverToml.missingLater", .missing, false, .none, false),
            ("serverToml.unreadable", .unreadable("Permission denied"), true, .none, false),
            ("serverToml.invalid", .invalid(line: 12, reason: "expected value"), false, .none, false),
        ]
        for (name, reading, atStart, origin, wasOff) in serverTomlSamples {
            for (index, text) in ReportText.serverToml(reading, in: folder, atStart: atStart, passwordSource: origin, debugWasOff: wasOff).enumerated() {
                add(index == 0 ? name : "\(name).\(index + 1)", text)
            }
        }
        // What the server did.
        let chatError = ResourceError(name: "chat", text: "Failed to start resource chat unknown type js")
        let coreError = ResourceError(name: "core", text: "Failed to load resource core")
        add("run.readyOneResourceError", ReportText(.serverReady(start: 3, trigger: .serverReady), client: client, hasPassword: true, resourceErrors: [chatError]))
        add("run.alreadyRunningResourceErrors", ReportText(.serverReady(start: 1, trigger: .alreadyRunning), client: client, hasPassword: true,
                                                           resourceErrors: [coreError, chatError]))
        add("run.crashedLine", ReportText(.crashed(line: "[12:50:00] MiniDump created."), start: 3))
        add("run.crashedExit", ReportText(.crashed(line: nil), start: 3))
        add("run.crashedBeforeAnyStart", ReportText(.crashed(line: "Segmentation fault"), start: 0))
        add("run.shutDown", ReportText(.shutDown, start: 3))
        add("run.stalled", ReportText(.stalled(after: .seconds(120), lastLine: "[12:00:05] Loading resource huge"), start: 2))
        add("run.resourceErrorWhileRunning", ReportText(.resourceErrorWhileRunning(chatError), start: 3))
        add("loop.failedServerDebugOff", ReportText(.failed(start: 3, .backInMainMenu), client: client, hasPassword: true, serverDebugOff: true))
        add("daemon.standby", .standby(holder: 1234, client: client))
        add("daemon.standbyUnknown", .standby(holder: nil, client: client))
        add("daemon.takingOver", .takingOver(client))
        add("daemon.watchdog", .watchdogEnabled(.seconds(15)))
        add("daemon.stopping", .stopping(signal: "SIGTERM"))
        add("daemon.nothingToReload", .nothingToReload)
        add("daemon.reloadFailed", .reloadFailed("config.toml line 3: unknown key 'pol-interval'"))
        add("daemon.reloadedNothing", .reloaded(applied: [], needRestart: [], password: nil, passwordSource: .none, keptClient: nil))
        add("daemon.reloaded", .reloaded(applied: ["poll-interval", "client"], needRestart: ["log-file"], password: Secret(Array("x".utf8)),
                                         passwordSource: .file("/etc/pw"), keptClient: (ClientEndpoint(host: "10.0.0.2", port: 9223), client)))
        return samples
    }

    static func render(_ samples: [(String, ReportText)]) -> String {
        samples.map { name, text in
            let fields = text.fields.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            return "\(name)\n  level: \(text.level)\n  message: \(text.message)\n  status: \(text.status ?? "-")\n  fields: \(fields.isEmpty ? "-" : fields)\n"
        }.joined()
    }

    @Test func everyTextMatchesTheGoldenFile() throws {
        let rendered = Self.render(Self.samples)
        if ProcessInfo.processInfo.environment["ALTV_UPDATE_GOLDEN"] != nil {
            try rendered.write(toFile: Self.golden, atomically: true, encoding: .utf8)
        }
        let golden = try String(contentsOfFile: Self.golden, encoding: .utf8)
        let expected = golden.components(separatedBy: "\n")
        let actual = rendered.components(separatedBy: "\n")
        for (index, pair) in zip(expected, actual).enumerated() where pair.0 != pair.1 {
            Issue.record("line \(index + 1): golden '\(pair.0)', now '\(pair.1)'")
            break
        }
        #expect(expected.count == actual.count, "golden has \(expected.count) lines, now \(actual.count)")
    }

    @Test func noTextSpansLinesOrHoldsThePassword() {
        for (name, text) in Self.samples {
            #expect(!text.message.contains("\n") && !(text.status ?? "").contains("\n"), "\(name)")
            #expect(!text.message.contains("hunter2") && !(text.status ?? "").contains("hunter2"), "\(name)")
        }
    }

    /// The key events carry the stable MESSAGE_IDs the README lists.
    @Test func keyEventsCarryTheirMessageIDs() {
        let ids = Dictionary(uniqueKeysWithValues: Self.samples.map { ($0.0, $0.1.fields["MESSAGE_ID"]) })
        #expect(ids["loop.serverReady"] == MessageID.serverReady)
        #expect(ids["loop.reconnectSent"] == MessageID.reconnectSent)
        #expect(ids["loop.inGame"] == MessageID.clientInGame)
        #expect(ids["loop.failedMenu"] == MessageID.reconnectFailed)
        #expect(ids["daemon.reloaded"] == MessageID.reloaded)
        #expect(ids["daemon.reloadFailed"] == MessageID.reloadFailed)
    }
}

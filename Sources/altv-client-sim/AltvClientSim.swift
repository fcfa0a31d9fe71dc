import ArgumentParser
import ClientSimulator
import ReconnectKit
import Dispatch
#if canImport(Glibc)
import Glibc
import ReconnectPolicy
#endif

/// `altv-client-sim`: a stand-in for the alt:V client's debug API, for demos and tests.
struct AltvClientSim: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "altv-client-sim",
        abstract: "Simulate the alt:V client's debug API (GET /status, POST /reconnect) on loopback.",
        discussion: """
            States: LOADING, then MAIN_MENU after --boot-delay. POST /reconnect with the right password \
            (any, without --password) in MAIN_MENU or IN_GAME: CONNECTING, DOWNLOADING_FILES, IN_GAME over \
            --connect-delay; a wrong password: CONNECTING, then back to MAIN_MENU. POST /_sim/state with a \
            status name as body forces a state (test hook). Prints 'listening on 127.0.0.1:PORT' on stdout.
            """
    )

    @Option(help: "TCP port on 127.0.0.1 (0 picks a free one and prints it).")
    var port: UInt16 = 9223

    @Option(help: "The server password the simulated server expects (default: none, any body is accepted).")
    var password: String?

    @Option(name: .customLong("boot-delay"), help: ArgumentHelp("Time from start to MAIN_MENU (default 2s).", valueName: "duration"),
            transform: parseDuration)
    var bootDelay: Duration = .seconds(2)

    @Option(name: .customLong("connect-delay"), help: ArgumentHelp("Time from the reconnect to IN_GAME (default 1s).", valueName: "duration"),
            transform: parseDuration)
    var connectDelay: Duration = .seconds(1)

    @Option(help: ArgumentHelp("Append one JSON line per request and state change (t_ns = CLOCK_MONOTONIC).", valueName: "path"))
    var events: String?

    @Flag(help: "Do not print state changes on stderr.")
    var quiet = false

    func run() throws {
        let settings = SimulatedClient.Settings(bootDelay: bootDelay, connectDelay: connectDelay, password: password.map { Array($0.utf8) })
        let server: SimulatorServer
        do {
            let log = try events.map { path throws(EventLogError) in try EventLog(path: path) }
            let quiet = quiet
            server = try SimulatorServer(port: port, settings: settings, events: log) { transition in
                if !quiet { printError("[altv-client-sim] \(transition.from) -> \(transition.to)") }
            }
        } catch let error as EventLogError {
            printError("altv-client-sim: \(error)")
            throw ExitCode(ExitStatus.configuration)
        } catch {
            printError("altv-client-sim: \(error)")
            throw ExitCode(ExitStatus.unavailable)
        }
        server.start()
        printLine("altv-client-sim listening on 127.0.0.1:\(server.port) (\(server.state))")
        let done = DispatchSemaphore(value: 0)
        var sources: [DispatchSourceSignal] = []
        for number in [SIGTERM, SIGINT] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .main)
            source.setEventHandler { done.signal() }
            source.resume()
            sources.append(source)
        }
        signal(SIGPIPE, SIG_IGN)
        DispatchQueue.global().async { done.wait(); server.stop(); Glibc.exit(0) }
        dispatchMain()
    }
}

import Dispatch
import Foundation
@testable import ReconnectKit
import ReconnectPolicy
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// `ContainerFollower` against a scripted stand-in engine on a real Unix socket: each request
/// gets the answer the test wrote for its path, so the interleavings a real engine produces only
/// sometimes (a line written between two requests, an event stream lost while the container
/// runs on) happen every time.
@Suite struct ContainerFollowerTests {
    /// Answers each connection by the request's path (the first route whose prefix matches);
    /// an answer with `keepOpen` stays open (an endless stream) until `closeStreams()`.
    final class ScriptedEngine: @unchecked Sendable {
        struct Route { var prefix: String; var answer: String; var keepOpen: Bool }
        let path: String
        let requests = Locked<[String]>([])
        private let routes: Locked<[Route]>
        private let open = Locked<[Int32]>([])
        private let fd: Int32

        init(path: String, routes: [Route]) throws {
            self.path = path
            self.routes = Locked(routes)
            fd = try unixSocket(at: path)
            let listener = fd
            Thread.detachNewThread { [self] in
                while true {
                    let connection = accept(listener, nil, nil)
                    guard connection >= 0 else { return }
                    Thread.detachNewThread { self.serve(connection) }
                }
            }
        }

        func setRoutes(_ routes: [Route]) { self.routes.with { $0 = routes } }
        var openConnections: [Int32] { open.current }

        private func serve(_ connection: Int32) {
            let received = readRequestHead(connection)
            let line = String(decoding: received.prefix { $0 != 13 }, as: UTF8.self)
            let target = line.split(separator: " ").dropFirst().first.map(String.init) ?? ""
            requests.with { $0.append(target) }
            guard let route = routes.current.first(where: { target.hasPrefix($0.prefix) }) else {
                reply(connection, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
                close(connection)
                return
            }
            reply(connection, route.answer)
            if route.keepOpen { open.with { $0.append(connection) } } else { close(connection) }
        }

        private func reply(_ connection: Int32, _ text: String) {
            _ = Array(text.utf8).withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        }

        /// Ends every endless answer, as an engine that stops does.
        func closeStreams() {
            for connection in open.current { shutdown(connection, Int32(SHUT_RDWR)); close(connection) }
            open.with { $0 = [] }
        }

        deinit {
            closeStreams()
            shutdown(fd, Int32(SHUT_RDWR))
            close(fd)
        }
    }

    final class Collector: LogSink, @unchecked Sendable {
        let text = Locked("")
        let restarts = Locked(0)
        func consume(_ bytes: UnsafeRawBufferPointer) { text.with { $0 += String(decoding: bytes, as: UTF8.self) } }
        func restart() { restarts.with { $0 += 1 } }
    }

    static let running = #"{"Id":"c0ffee","State":{"Status":"running","Running":true,"Pid":4242,"StartedAt":"2026-11-22T08:21:09.818571439Z","FinishedAt":"2026-11-22T08:21:09.529442109Z"},"Config":{"Tty":false}}"#

    static func json(_ body: String) -> String {
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n" + body
    }

    /// A chunked answer whose body is log frames of these stdout lines.
    static func frames(_ lines: [String], end: Bool) -> String {
        var answer = "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.raw-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
        for line in lines {
            let frame = DockerLogFrames.frame(.stdout, Array((line + "\n").utf8))
            answer += String(frame.count, radix: 16) + "\r\n" + String(decoding: frame, as: UTF8.self) + "\r\n"
        }
        return answer + (end ? "0\r\n\r\n" : "")
    }

    static let eventsRoute = ScriptedEngine.Route(prefix: "/events", answer: "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n", keepOpen: true)

    final class Rig: @unchecked Sendable {
        let queue = DispatchQueue(label: "test.container")
        let collector = Collector()
        let events = Locked<[ContainerFollower.Event]>([])
        var follower: ContainerFollower!

        init(socket: String) {
            let events = events
            follower = ContainerFollower(name: "altv", engine: DockerEngine(socketPath: socket), queue: queue, timeout: .seconds(2), sink: collector) { event in
                events.with { $0.append(event) }
            }
        }

        func start() { queue.sync { follower.start() } }
        deinit { queue.sync { follower.stop() } }
    }

    /// At start-up the run's output so far comes in one request that ends, then the follow
    /// request repeats it plus what was written between the two: the repeated part is skipped
    /// (by its length), the line written in between is handed on, nothing twice.
    @Test func aLineWrittenBetweenHistoryAndFollowIsSeenOnceAndTheHistoryNotRepeated() throws {
        let directory = TemporaryDirectory()
        let engine = try ScriptedEngine(path: directory.file("docker.sock"), routes: [
            Self.eventsRoute,
            .init(prefix: "/containers/altv/json", answer: Self.json(Self.running), keepOpen: false),
            .init(prefix: "/containers/altv/logs?stdout=1&stderr=1&follow=0", answer: Self.frames(["[1] Starting", "[1] Server started"], end: true), keepOpen: false),
            .init(prefix: "/containers/altv/logs?stdout=1&stderr=1&follow=1", answer: Self.frames(["[1] Starting", "[1] Server started", "[2] between"], end: false), keepOpen: true),
        ])
        let rig = Rig(socket: engine.path)
        rig.start()
        // The history was handed on before start returned (the daemon's catch-up).
        #expect(rig.collector.text.current.hasPrefix("[1] Starting\n[1] Server started\n"))
        #expect(rig.events.current.contains(.started(pid: 4242, alreadyRunning: true, tty: false)))
        #expect(waitUntil { rig.collector.text.current.hasSuffix("[2] between\n") }, "\(rig.collector.text.current)")
        usleep(100_000)
        #expect(rig.collector.text.current == "[1] Starting\n[1] Server started\n[2] between\n")
        // Both output requests start at the previous run's end (FinishedAt, to the nanosecond).
        let logs = engine.requests.current.filter { $0.contains("/logs") }
        #expect(logs.count == 2 && logs.allSatisfy { $0.hasSuffix("since=1795335669.529442109") }, "\(logs)")
    }

    /// The event stream breaks (the engine restarted with the container kept running): the
    /// same run is followed again where it was left: no new start, nothing repeated.
    @Test func theSameRunFollowedAgainAfterTheEngineCameBackRepeatsNothing() throws {
        let directory = TemporaryDirectory()
        let engine = try ScriptedEngine(path: directory.file("docker.sock"), routes: [
            Self.eventsRoute,
            .init(prefix: "/containers/altv/json", answer: Self.json(Self.running), keepOpen: false),
            .init(prefix: "/containers/altv/logs?stdout=1&stderr=1&follow=0", answer: Self.frames(["[1] Server started"], end: true), keepOpen: false),
            .init(prefix: "/containers/altv/logs?stdout=1&stderr=1&follow=1", answer: Self.frames(["[1] Server started"], end: false), keepOpen: true),
        ])
        let rig = Rig(socket: engine.path)
        rig.start()
        #expect(rig.collector.text.current == "[1] Server started\n")
        engine.setRoutes([
            Self.eventsRoute,
            .init(prefix: "/containers/altv/json", answer: Self.json(Self.running), keepOpen: false),
            .init(prefix: "/containers/altv/logs?stdout=1&stderr=1&follow=1", answer: Self.frames(["[1] Server started", "[1] later"], end: false), keepOpen: true),
        ])
        engine.closeStreams()
        #expect(waitUntil { rig.collector.text.current.hasSuffix("[1] later\n") }, "\(rig.collector.text.current) \(rig.events.current)")
        let events = rig.events.current
        #expect(rig.collector.text.current == "[1] Server started\n[1] later\n")
        #expect(events.contains(.engineLost))
        #expect(events.filter { if case .started = $0 { true } else { false } }.count == 1, "\(events)")
        #expect(rig.collector.restarts.current == 0)
    }

    /// A start event: the new run's output from the previous run's end (the die event's time),
    /// the sink told the output starts over; the die said as the run's end with its exit code.
    @Test func aRestartIsANewRunFromTheDeathOfTheLast() throws {
        let directory = TemporaryDirectory()
        let stopped = #"{"Id":"c0ffee","State":{"Status":"exited","Running":false,"Pid":0,"ExitCode":0,"StartedAt":"2026-11-22T08:21:05.523892021Z","FinishedAt":"2026-11-22T08:21:09.529442109Z"},"Config":{"Tty":true}}"#
        let engine = try ScriptedEngine(path: directory.file("docker.sock"), routes: [
            Self.eventsRoute,
            .init(prefix: "/containers/altv/json", answer: Self.json(stopped), keepOpen: false),
        ])
        let rig = Rig(socket: engine.path)
        rig.start()
        #expect(waitUntil { rig.events.current.contains(.containerNotRunning(status: "exited")) }, "\(rig.events.current)")
        let restarted = Self.running.replacingOccurrences(of: #""Tty":false"#, with: #""Tty":true"#)
        engine.setRoutes([
            .init(prefix: "/containers/altv/json", answer: Self.json(restarted), keepOpen: false),
            .init(prefix: "/containers/altv/logs", answer: "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.raw-stream\r\n\r\n\u{1B}[32m[2] Server started\u{1B}[0m\r\n", keepOpen: true),
        ])
        // The engine's start event, as /events writes it.
        let event = #"{"status":"start","id":"c0ffee","Type":"container","Action":"start","Actor":{"ID":"c0ffee","Attributes":{"name":"altv"}},"timeNano":1795335669821247423}"# + "\n"
        engine.sendOnStreams(String(event.utf8.count, radix: 16) + "\r\n" + event + "\r\n")
        #expect(waitUntil { rig.collector.text.current.contains("[2] Server started") }, "\(rig.events.current)")
        #expect(rig.events.current.contains(.started(pid: 4242, alreadyRunning: false, tty: true)))
        #expect(rig.collector.restarts.current == 1)
        let logs = engine.requests.current.filter { $0.contains("/logs") }
        #expect(logs == ["/containers/altv/logs?stdout=1&stderr=1&follow=1&since=1795335669.529442109"], "\(logs)")
    }
}

extension ContainerFollowerTests.ScriptedEngine {
    /// Writes `text` on every open endless answer (an event, a log line).
    func sendOnStreams(_ text: String) {
        for connection in openConnections { _ = Array(text.utf8).withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } }
    }
}

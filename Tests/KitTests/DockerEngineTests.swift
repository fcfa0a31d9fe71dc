import Dispatch
import Foundation
import ReconnectKit
import ReconnectPolicy
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// Reaching the Docker Engine: `DOCKER_HOST` as `docker` reads it, and the project's bounded
/// HTTP client over a real Unix socket (a stand-in engine answering a chunked response).
@Suite struct DockerEngineTests {
    @Test func dockerHostNamesTheSocket() throws {
        #expect(try DockerEngine.fromEnvironment([:]).socketPath == "/var/run/docker.sock")
        #expect(try DockerEngine.fromEnvironment(["DOCKER_HOST": ""]).socketPath == "/var/run/docker.sock")
        #expect(try DockerEngine.fromEnvironment(["DOCKER_HOST": "unix:///run/user/1000/podman/podman.sock"]).socketPath == "/run/user/1000/podman/podman.sock")
        do {
            _ = try DockerEngine.fromEnvironment(["DOCKER_HOST": "tcp://10.0.0.2:2376"])
            Issue.record("a TCP engine was accepted")
        } catch {
            #expect(error.message.hasPrefix("DOCKER_HOST=tcp://10.0.0.2:2376 is not a Unix socket"))
        }
    }

    /// A one-connection engine stand-in on a Unix socket: reads one request, sends `answer`,
    /// then each of `later` 50 ms apart, then closes.
    final class UnixStandIn: @unchecked Sendable {
        let path: String
        let request = Locked("")
        private let fd: Int32

        init(path: String, answer: String, later: [String] = []) throws {
            self.path = path
            fd = try unixSocket(at: path, backlog: 4)
            let listener = fd
            let request = request
            Thread.detachNewThread {
                let connection = accept(listener, nil, nil)
                guard connection >= 0 else { return }
                let received = readRequestHead(connection)
                request.with { $0 = String(decoding: received, as: UTF8.self) }
                for (index, part) in ([answer] + later).enumerated() {
                    if index > 0 { usleep(50_000) }
                    _ = Array(part.utf8).withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                }
                close(connection)
            }
        }

        deinit { close(fd) }
    }

    @Test func theClientTalksToAnEngineOnItsUnixSocket() throws {
        let directory = TemporaryDirectory()
        let json = #"{"Version":"20.10.24","ApiVersion":"1.41"}"#
        let engine = try UnixStandIn(path: directory.file("docker.sock"), answer:
            "HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
            + String(json.utf8.count - 10, radix: 16) + "\r\n" + String(json.dropLast(10)) + "\r\n"
            + "a\r\n" + String(json.suffix(10)) + "\r\n0\r\n\r\n")
        let result = DockerEngine(socketPath: engine.path).client(timeout: .seconds(2)).send(method: "GET", path: "/version")
        guard case .success(let response) = result else { Issue.record("\(result)"); return }
        #expect(response.statusCode == 200)
        #expect(response.body == Array(json.utf8))
        #expect(engine.request.current.hasPrefix("GET /version HTTP/1.1\r\nHost: localhost:80\r\n"), "\(engine.request.current)")
    }

    @Test func anEngineThatIsNotThereIsExplained() throws {
        let directory = TemporaryDirectory()
        let engine = DockerEngine(socketPath: directory.file("docker.sock"))
        let missing = engine.client(timeout: .seconds(1)).send(method: "GET", path: "/version")
        guard case .failure(let error) = missing else { Issue.record("\(missing)"); return }
        #expect(error == .unreachable(errno: ENOENT))
        #expect(engine.explain(error).hasPrefix("the Docker engine's socket \(engine.socketPath) does not exist"))

        // A socket file nobody listens on (the engine stopped without removing it).
        close(try unixSocket(at: engine.socketPath, backlog: 0))
        let refused = engine.client(timeout: .seconds(1)).send(method: "GET", path: "/version")
        guard case .failure(let refusal) = refused else { Issue.record("\(refused)"); return }
        #expect(refusal == .connectionRefused)
        #expect(engine.explain(refusal).contains("nothing accepts connections"))
        #expect(engine.explain(.unreachable(errno: EACCES)).contains("add yourself to the docker group"))
    }
}

/// A streaming answer followed to its end: the head within the deadline, then the body as the
/// engine writes it (chunked, log frames inside), in pieces, until the engine closes it.
@Suite struct EngineStreamTests {
    @Test func aFollowedLogArrivesAsTheEngineWritesIt() throws {
        let directory = TemporaryDirectory()
        let lines = ["[12:00:00] Starting\n", "[12:00:01][Error] Failed to start resource chat unknown type js\n", "[12:00:02] Server started\n"]
        let frames = lines.map { DockerLogFrames.frame(.stdout, Array($0.utf8)) }
        // Each frame its own chunk; the engine writes the first with the head, the rest later.
        let chunks = frames.map { String($0.count, radix: 16) + "\r\n" + String(decoding: $0, as: UTF8.self) + "\r\n" }
        let engine = try DockerEngineTests.UnixStandIn(path: directory.file("docker.sock"), answer:
            "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.multiplexed-stream\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks[0],
            later: Array(chunks.dropFirst()) + ["0\r\n\r\n"])
        let client = DockerEngine(socketPath: engine.path).client(timeout: .seconds(2))
        guard case .success(let open) = client.openStream(path: "/containers/altv/logs?follow=1&stdout=1&stderr=1") else {
            Issue.record("no stream")
            return
        }
        #expect(open.statusCode == 200 && open.head.isChunked)
        let queue = DispatchQueue(label: "test.engine-stream")
        let text = Locked("")
        let ended = Locked<EngineStream.End?>(nil)
        var unframe = DockerLogFrames()
        let stream = EngineStream(open, queue: queue, onBody: { piece in
            try? unframe.feed(piece) { _, payload in text.with { $0 += String(decoding: payload, as: UTF8.self) } }
        }, onEnd: { end in ended.with { $0 = end } })
        queue.sync { stream.start() }
        #expect(waitUntil { ended.current != nil }, "the stream did not end")
        #expect(ended.current == .closed)
        #expect(text.current == lines.joined())
        #expect(open.leftover.count <= chunks[0].utf8.count, "the later parts came through the read source")
        #expect(engine.request.current.hasPrefix("GET /containers/altv/logs?follow=1&stdout=1&stderr=1 HTTP/1.1\r\n"))
    }

    @Test func aBrokenChunkEndsTheStreamWithTheReason() throws {
        let directory = TemporaryDirectory()
        let engine = try DockerEngineTests.UnixStandIn(path: directory.file("docker.sock"), answer:
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")
        guard case .success(let open) = DockerEngine(socketPath: engine.path).client(timeout: .seconds(2)).openStream(path: "/events") else {
            Issue.record("no stream")
            return
        }
        let queue = DispatchQueue(label: "test.engine-stream")
        let ended = Locked<EngineStream.End?>(nil)
        let stream = EngineStream(open, queue: queue, onBody: { _ in }, onEnd: { end in ended.with { $0 = end } })
        queue.sync { stream.start() }
        #expect(waitUntil { ended.current != nil })
        #expect(ended.current == .malformed("a chunk size that is not a hexadecimal number: 'zz'"))
    }
}

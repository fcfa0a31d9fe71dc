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

    /// A one-connection engine stand-in on a Unix socket: reads one request, sends `answer`.
    final class UnixStandIn: @unchecked Sendable {
        let path: String
        let request = Locked("")
        private let fd: Int32

        init(path: String, answer: String) throws {
            self.path = path
            fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { raw in
                for (index, byte) in path.utf8.enumerated() { raw[index] = byte }
            }
            let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
            guard bound == 0, listen(fd, 4) == 0 else { throw TestFailure("cannot listen on \(path): errno \(errno)") }
            let listener = fd
            let request = request
            Thread.detachNewThread {
                let connection = accept(listener, nil, nil)
                guard connection >= 0 else { return }
                var buffer = [UInt8](repeating: 0, count: 4096)
                var received: [UInt8] = []
                while !received.suffix(4).elementsEqual(Array("\r\n\r\n".utf8)) {
                    let count = buffer.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
                    guard count > 0 else { break }
                    received += buffer[0..<count]
                }
                request.with { $0 = String(decoding: received, as: UTF8.self) }
                _ = Array(answer.utf8).withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
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
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in engine.socketPath.utf8.enumerated() { raw[index] = byte }
        }
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
        close(fd)
        let refused = engine.client(timeout: .seconds(1)).send(method: "GET", path: "/version")
        guard case .failure(let refusal) = refused else { Issue.record("\(refused)"); return }
        #expect(refusal == .connectionRefused)
        #expect(engine.explain(refusal).contains("nothing accepts connections"))
        #expect(engine.explain(.unreachable(errno: EACCES)).contains("add yourself to the docker group"))
    }
}

import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A real TCP server on an ephemeral loopback port that misbehaves on purpose, one way per
/// connection, to prove the client survives every fault a loading game can produce.
public final class FaultServer: @unchecked Sendable {
    public enum Behaviour: Sendable {
        case answer(status: Int, body: String)
        case answerAfter(milliseconds: Int, body: String)
        case hang
        case garbage
        case hugeBody(bytes: Int)
        case reset
        case closeImmediately
    }

    public let port: Int
    private let listener: Int32
    /// Behaviour for each accepted connection in turn; the last repeats.
    public let script: Locked<[Behaviour]>
    /// Each request's first line and body, in arrival order.
    public let requests = Locked<[(line: String, body: String)]>([])
    private let stopped = Locked(false)

    public init(_ script: [Behaviour]) {
        self.script = Locked(script)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        listener = fd
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        listen(fd, 64)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread.detachNewThread { [self] in
            while !self.stopped.current {
                let connection = accept(fd, nil, nil)
                guard connection >= 0 else { return }
                let behaviour = self.script.with { list -> Behaviour in list.count > 1 ? list.removeFirst() : list[0] }
                Thread.detachNewThread { self.serve(connection, behaviour) }
            }
        }
    }

    public var url: String { "http://127.0.0.1:\(port)" }

    /// Idempotent: closing the descriptor twice could close another test's socket that reused it.
    public func stop() {
        let wasStopped = stopped.with { value -> Bool in
            defer { value = true }
            return value
        }
        guard !wasStopped else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    deinit { stop() }

    private func serve(_ fd: Int32, _ behaviour: Behaviour) {
        defer { close(fd) }
        // Read the request (small) before misbehaving.
        var buffer = [UInt8](repeating: 0, count: 65536)
        var received: [UInt8] = []
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { break }
            received += buffer[0..<count]
            let text = String(decoding: received, as: UTF8.self)
            if let range = text.range(of: "\r\n\r\n") {
                let head = text[..<range.lowerBound]
                let length = head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
                    .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
                if text[range.upperBound...].utf8.count >= length {
                    requests.with { $0.append((String(head.split(separator: "\r\n")[0]), String(text[range.upperBound...]))) }
                    break
                }
            }
        }
        switch behaviour {
        case .answer(let status, let body):
            send(fd, "HTTP/1.1 \(status) X\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)")
        case .answerAfter(let milliseconds, let body):
            usleep(UInt32(milliseconds) * 1000)
            send(fd, "HTTP/1.1 200 OK\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
        case .hang:
            while !self.stopped.current { usleep(50_000) }
        case .garbage:
            send(fd, "\u{0}\u{1}\u{2}this is not HTTP at all\r\n\r\n")
        case .hugeBody(let bytes):
            send(fd, "HTTP/1.1 200 OK\r\nContent-Length: \(bytes)\r\n\r\n")
            let chunk = String(repeating: "M", count: 65536)
            var sent = 0
            while sent < bytes {
                guard send(fd, chunk) else { break }
                sent += chunk.utf8.count
            }
        case .reset:
            var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
            setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        case .closeImmediately:
            break
        }
    }

    @discardableResult
    private func send(_ fd: Int32, _ text: String) -> Bool {
        var bytes = Array(text.utf8)
        return bytes.withUnsafeMutableBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } > 0
    }
}

/// A loopback port with nothing listening (bound, then closed).
public func closedPort() -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
    close(fd)
    return Int(UInt16(bigEndian: address.sin_port))
}

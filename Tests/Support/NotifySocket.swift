import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A real `AF_UNIX`/`SOCK_DGRAM` socket standing in for systemd's notify socket: pass `path` as
/// `NOTIFY_SOCKET` to a child and read what it sends, datagram by datagram.
public final class NotifySocket: @unchecked Sendable {
    public let path: String
    private let fd: Int32
    public let datagrams = Locked<[String]>([])
    /// How many `STATUS=` began with each of `countedPrefixes` (kept as datagrams arrive, so a
    /// long test can wait on counts without rescanning everything).
    public let counts = Locked<[String: Int]>([:])
    public static let countedPrefixes = ["Client IN_GAME", "Reconnect sent", "Server ready"]
    private let closed = Locked(false)

    public init(directory: TemporaryDirectory) throws {
        path = directory.file("notify.sock")
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        self.fd = fd
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { throw TestFailure("socket path too long") }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in bytes.enumerated() { raw[index] = byte }
        }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + 1)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        guard bound == 0 else { throw TestFailure("bind \(path): errno \(errno)") }
        var timeout = timeval(tv_sec: 0, tv_usec: 100_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        Thread.detachNewThread { [datagrams, counts, closed] in
            var buffer = [UInt8](repeating: 0, count: 65536)
            while !closed.current {
                let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                guard count > 0 else { continue }
                let text = String(decoding: buffer[0..<count], as: UTF8.self)
                datagrams.with { $0.append(text) }
                for line in text.split(separator: "\n") where line.hasPrefix("STATUS=") {
                    for prefix in NotifySocket.countedPrefixes where line.dropFirst(7).hasPrefix(prefix) {
                        counts.with { $0[prefix, default: 0] += 1 }
                    }
                }
            }
            close(fd)
        }
    }

    /// Every `KEY=value` assignment received, in order (datagrams may carry several).
    public var assignments: [String] {
        datagrams.current.flatMap { $0.split(separator: "\n").map(String.init) }
    }

    public var statuses: [String] {
        assignments.filter { $0.hasPrefix("STATUS=") }.map { String($0.dropFirst("STATUS=".count)) }
    }

    public func count(_ prefix: String) -> Int { counts.with { $0[prefix] ?? 0 } }

    deinit { closed.with { $0 = true } }
}

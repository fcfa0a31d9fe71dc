import ReconnectPolicy
import CShims
import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Only one altv-reconnectd drives a given client: two of them (the user service and a copy
/// started by hand) would both POST for one server start, the second while the client is
/// already `CONNECTING`.
///
/// The claim is a listening Unix socket with an abstract name derived from the client
/// (`@altv-reconnectd/client/loopback:9223`):
/// - the kernel releases it however the holder ends (no stale lock file after a crash or SIGKILL);
/// - abstract names are shared by every user of the host's network namespace, so the user service
///   and the system template see each other (a lock file would live in per-user or private dirs);
/// - a connection to it tells the holder's PID (`SO_PEERCRED`), and is hung up by the kernel the
///   moment the holder ends, which is what a standby daemon waits for (no polling).
public final class ClientClaim: @unchecked Sendable {
    /// The claimed socket; closed by `release()` or when the process ends.
    private var descriptor: Int32
    public let endpoint: ClientEndpoint

    public enum Attempt {
        case claimed(ClientClaim)
        /// Another process holds the claim; its PID when the kernel told it.
        case heldBy(pid: Int32?)
    }

    private init(descriptor: Int32, endpoint: ClientEndpoint) {
        self.descriptor = descriptor
        self.endpoint = endpoint
    }

    deinit { release() }

    public func release() {
        if descriptor >= 0 { close(descriptor) }
        descriptor = -1
    }

    /// The claim's name: the same client reached through any loopback spelling is one client.
    static func name(for endpoint: ClientEndpoint) -> String {
        let host = endpoint.host.lowercased()
        let loopback = host == "localhost" || host == "::1" || host.hasPrefix("127.") || host == "0.0.0.0"
        return "altv-reconnectd/client/\(loopback ? "loopback" : host):\(endpoint.port)"
    }

    /// Claims `endpoint`, or says who holds it.
    public static func attempt(_ endpoint: ClientEndpoint) throws(SystemError) -> Attempt {
        switch try claimOrConnect(endpoint) {
        case .claimed(let claim):
            return .claimed(claim)
        case .holder(let connection, let pid):
            if connection >= 0 { close(connection) }
            return .heldBy(pid: pid)
        }
    }

    private enum Outcome {
        case claimed(ClientClaim)
        /// A connection to the holder (-1 if none could be made) and the holder's PID.
        case holder(connection: Int32, pid: Int32?)
    }

    /// Claims `endpoint`, or connects to whoever holds it: one bind, and at most one connect.
    private static func claimOrConnect(_ endpoint: ClientEndpoint) throws(SystemError) -> Outcome {
        let name = Self.name(for: endpoint)
        let listener = try socket(name: name)
        if withAddress(name, { bind(listener, $0, $1) }) == 0 {
            guard listen(listener, 64) == 0 else {
                let error = SystemError(operation: "listen", path: "@" + name, errno: errno)
                close(listener)
                throw error
            }
            return .claimed(ClientClaim(descriptor: listener, endpoint: endpoint))
        }
        let failure = errno
        close(listener)
        guard failure == EADDRINUSE else { throw SystemError(operation: "bind", path: "@" + name, errno: failure) }
        let (connection, pid) = connectToHolder(name)
        return .holder(connection: connection, pid: pid)
    }

    /// Waits, without polling, until the holder of `endpoint`'s claim ends and this process
    /// claims it; `onClaimed` runs on `queue`. Another standby may win the race: then this one
    /// waits on the new holder, reporting it through `onHolder`.
    public final class Standby: @unchecked Sendable {
        private let endpoint: ClientEndpoint
        private let queue: DispatchQueue
        private let onHolder: (Int32?) -> Void
        private let onClaimed: (ClientClaim) -> Void
        private var source: DispatchSourceRead?
        private var retry: DispatchSourceTimer?

        public init(endpoint: ClientEndpoint, queue: DispatchQueue, onHolder: @escaping (Int32?) -> Void, onClaimed: @escaping (ClientClaim) -> Void) {
            self.endpoint = endpoint
            self.queue = queue
            self.onHolder = onHolder
            self.onClaimed = onClaimed
        }

        /// Must be called on `queue`.
        public func start() {
            dispatchPrecondition(condition: .onQueue(queue))
            tryAgain()
        }

        public func stop() {
            source?.cancel()
            source = nil
            retry?.cancel()
            retry = nil
        }

        private func tryAgain() {
            stop()
            let outcome = try? ClientClaim.claimOrConnect(endpoint)
            if case .claimed(let claim)? = outcome {
                onClaimed(claim)
                return
            }
            guard case .holder(let connection, let pid)? = outcome, connection >= 0 else {
                // The holder's queue of waiting connections is full, or it just ended: look again
                // in a second (the only timer here, and only in this rare case).
                let timer = DispatchSource.makeTimerSource(queue: queue)
                timer.schedule(deadline: .now() + .seconds(1))
                timer.setEventHandler { [weak self] in self?.tryAgain() }
                timer.resume()
                retry = timer
                return
            }
            onHolder(pid)
            // The kernel hangs up this connection when the holder's socket closes.
            let source = DispatchSource.makeReadSource(fileDescriptor: connection, queue: queue)
            source.setEventHandler { [weak self] in self?.tryAgain() }
            source.setCancelHandler { close(connection) }
            self.source = source
            source.resume()
        }
    }

    // MARK: Sockets

    private static func socket(name: String) throws(SystemError) -> Int32 {
        let fd = Glibc.socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SystemError(operation: "socket", path: "@" + name, errno: errno) }
        return fd
    }

    /// A connection to the holder (never accepted: it only waits for the hang-up) and its PID.
    private static func connectToHolder(_ name: String) -> (Int32, Int32?) {
        guard let fd = try? socket(name: name) else { return (-1, nil) }
        let flags = fcntl(fd, F_GETFL)
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
        guard withAddress(name, { connect(fd, $0, $1) }) == 0 else {
            close(fd)
            return (-1, nil)
        }
        let pid = altv_peer_pid(fd)
        return (fd, pid > 0 ? pid : nil)
    }

    /// Calls `body` with the abstract address `@name` (length-delimited, no trailing NUL).
    private static func withAddress(_ name: String, _ body: (UnsafePointer<sockaddr>, socklen_t) -> Int32) -> Int32 {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(name.utf8.prefix(MemoryLayout.size(ofValue: address.sun_path) - 1))
        withUnsafeMutableBytes(of: &address.sun_path) { path in
            path[0] = 0
            for (index, byte) in bytes.enumerated() { path[index + 1] = byte }
        }
        let length = socklen_t(MemoryLayout<sockaddr_un>.offset(of: \.sun_path)! + 1 + bytes.count)
        return withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, length) } }
    }
}

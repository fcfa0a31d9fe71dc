import ReconnectKit
import Dispatch
import ReconnectPolicy
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Serves a `SimulatedClient` over HTTP on loopback, like the game's debug server:
/// `GET /status`, `POST /reconnect`, plus the test hook `POST /_sim/state` (body: a status name).
///
/// Accepting runs on a Dispatch read source over the listening socket; each connection is
/// served on a worker; the client state, its timer and the event log live on `stateQueue`.
public final class SimulatorServer: @unchecked Sendable {
    public let port: UInt16
    private let listener: Int32
    private var client: SimulatedClient
    private let events: EventLog?
    private let onTransition: (SimulatedClient.Transition) -> Void
    private let stateQueue = DispatchQueue(label: "altv-client-sim.state")
    private let acceptQueue = DispatchQueue(label: "altv-client-sim.accept")
    private var acceptSource: DispatchSourceRead?
    private var timer: DispatchSourceTimer?

    /// Largest request accepted (headers + body); a password is short.
    static let requestLimit = 64 * 1024

    public init(host: String = "127.0.0.1", port: UInt16, settings: SimulatedClient.Settings, events: EventLog?,
                onTransition: @escaping (SimulatedClient.Transition) -> Void = { _ in }) throws(SimulatorError) {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else { throw SimulatorError("invalid --host \(host): give an IPv4 address such as 127.0.0.1") }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SimulatorError("socket: \(String(cString: strerror(errno)))") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 128) == 0 else {
            let code = errno
            close(fd)
            throw SimulatorError("cannot listen on \(host):\(port): \(String(cString: strerror(code)))\(code == EADDRINUSE ? "; is a client (or another simulator) already running? use --port 0 for a free port" : "")")
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        self.port = UInt16(bigEndian: actual.sin_port)
        listener = fd
        self.events = events
        self.onTransition = onTransition
        client = SimulatedClient(settings: settings, now: .now())
    }

    /// Starts serving; returns at once.
    public func start() {
        stateQueue.sync {
            events?.record("listening", at: .now(), [("port", .int(Int(port))), ("state", .string(client.state.description))])
            scheduleNextTransition()
        }
        let source = DispatchSource.makeReadSource(fileDescriptor: listener, queue: acceptQueue)
        source.setEventHandler { [weak self] in self?.acceptAll() }
        source.setCancelHandler { [listener] in close(listener) }
        acceptSource = source
        source.resume()
    }

    public func stop() {
        acceptSource?.cancel()
        stateQueue.sync { timer?.cancel() }
    }

    public var state: ClientStatus { stateQueue.sync { client.state } }

    // MARK: State

    /// Call on `stateQueue`.
    private func record(_ transitions: [SimulatedClient.Transition]) {
        for transition in transitions {
            events?.record("state", at: transition.at, [("from", .string(transition.from.description)), ("to", .string(transition.to.description))])
            onTransition(transition)
        }
    }

    /// Call on `stateQueue`: one timer for the next planned transition, none when nothing is planned.
    private func scheduleNextTransition() {
        timer?.cancel()
        timer = nil
        guard let due = client.nextTransitionAt else { return }
        let timer = DispatchSource.makeTimerSource(queue: stateQueue)
        let delay = due - MonotonicInstant.now()
        timer.schedule(deadline: .now() + .nanoseconds(Int(clamping: delay.nanosecondsClamped)), leeway: .nanoseconds(0))
        timer.setEventHandler { [weak self] in
            guard let self else { return }
            record(client.advance(to: .now()))
            scheduleNextTransition()
        }
        self.timer = timer
        timer.resume()
    }

    // MARK: HTTP

    private func acceptAll() {
        while true {
            let fd = accept(listener, nil, nil)
            guard fd >= 0 else { return }
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            // A serial queue per connection: overcommit, so a slow peer never starves the others.
            DispatchQueue(label: "altv-client-sim.connection").async { [weak self] in
                self?.serve(fd)
                close(fd)
            }
        }
    }

    private func serve(_ fd: Int32) {
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        guard let (head, body) = Self.readRequest(fd) else { return }
        let parts = head.startLine.split(separator: " ")
        guard parts.count >= 2 else { return respond(fd, 400, "bad request") }
        let method = String(parts[0])
        let path = String(parts[1])
        let (code, text) = stateQueue.sync { handle(method: method, path: path, body: body) }
        respond(fd, code, text)
    }

    /// Call on `stateQueue`.
    private func handle(method: String, path: String, body: [UInt8]) -> (Int, String) {
        let now = MonotonicInstant.now()
        record(client.advance(to: now))
        defer { scheduleNextTransition() }
        switch (method, path) {
        case ("GET", "/status"):
            events?.record("request", at: now, [("method", .string(method)), ("path", .string(path)), ("state", .string(client.state.description))])
            return (200, client.state.description)
        case ("POST", "/reconnect"):
            let before = client.state
            let (verdict, transitions) = client.reconnect(body: body, at: now)
            events?.record("request", at: now, [("method", .string(method)), ("path", .string(path)), ("state", .string(before.description))])
            // The password itself is never recorded: only whether it matched.
            events?.record("reconnect", at: now, [("state", .string(before.description)), ("result", .string(verdict.rawValue))])
            record(transitions)
            return (200, "")
        case ("POST", "/_sim/state"):
            let wanted = ClientStatus(parsing: body)
            if case .unknown = wanted { return (400, "unknown status") }
            events?.record("request", at: now, [("method", .string(method)), ("path", .string(path)), ("state", .string(client.state.description))])
            record(client.force(wanted, at: now))
            return (200, wanted.description)
        default:
            events?.record("request", at: now, [("method", .string(method)), ("path", .string(path)), ("state", .string(client.state.description))])
            return (404, "not found")
        }
    }

    static func readRequest(_ fd: Int32) -> (HTTPHead, [UInt8])? {
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        var bounds: (headerEnd: Int, bodyStart: Int)?
        while true {
            if bounds == nil { bounds = HTTPHead.bounds(in: buffer) }
            if let bounds {
                let head = HTTPHead(buffer[0..<bounds.headerEnd])
                let length = Int(head["content-length"] ?? "0") ?? 0
                guard length >= 0, length <= requestLimit else { return nil }
                if buffer.count - bounds.bodyStart >= length {
                    return (head, Array(buffer[bounds.bodyStart..<(bounds.bodyStart + length)]))
                }
            }
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0, buffer.count + count <= requestLimit else { return nil }
            buffer += chunk[0..<count]
        }
    }

    private func respond(_ fd: Int32, _ code: Int, _ text: String) {
        let reason = code == 200 ? "OK" : code == 404 ? "Not Found" : "Bad Request"
        var bytes = Array("HTTP/1.1 \(code) \(reason)\r\nContent-Type: text/plain\r\nContent-Length: \(text.utf8.count)\r\nConnection: close\r\n\r\n\(text)".utf8)
        _ = bytes.withUnsafeMutableBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }
}

public struct SimulatorError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

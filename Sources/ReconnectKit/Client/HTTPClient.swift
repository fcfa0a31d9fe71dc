import ReconnectPolicy
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A deliberately small HTTP/1.1 client for a loopback peer: one request per connection,
/// one deadline for the whole exchange, a hard cap on what it buffers.
///
/// Why not swift-nio or AsyncHTTPClient: the daemon's idle budget is 10 MB peak RSS (README, Performance),
/// and the whole API is two requests to one peer. A blocking exchange on a worker thread with
/// `poll(2)` deadlines is ~200 lines, allocates a bounded buffer, and cannot hang: every wait
/// is bounded by `timeout`. Callers run it off the daemon's event queue.
public struct HTTPClient: Sendable {
    public var endpoint: ClientEndpoint
    /// Connect + send + receive must all finish within this.
    public var timeout: Duration
    /// Headers plus body; a larger answer is abandoned as `.responseTooLarge` (never buffered).
    public var responseLimit: Int

    /// A Unix socket to connect to instead of `endpoint` (the Docker Engine's `docker.sock`);
    /// `endpoint` then only names the host in the request.
    public var unixSocket: String?

    public init(endpoint: ClientEndpoint, timeout: Duration, responseLimit: Int = 16 * 1024) {
        self.endpoint = endpoint
        self.timeout = timeout
        self.responseLimit = responseLimit
    }

    /// A client of the peer on the Unix socket at `path` (the Host header says `localhost`).
    public init(unixSocket path: String, timeout: Duration, responseLimit: Int = 16 * 1024) {
        self.init(endpoint: ClientEndpoint(host: "localhost", port: 80), timeout: timeout, responseLimit: responseLimit)
        unixSocket = path
    }

    public func send(method: String, path: String, body: [UInt8] = []) -> Result<HTTPResponse, ClientError> {
        let deadline = Deadline(after: timeout)
        let fd: Int32
        switch connect(deadline: deadline) {
        case .success(let connected): fd = connected
        case .failure(let error): return .failure(error)
        }
        defer { close(fd) }
        var request = Array("\(method) \(path) HTTP/1.1\r\nHost: \(hostHeader)\r\nUser-Agent: altv-reconnectd\r\nConnection: close\r\n".utf8)
        if method != "GET" || !body.isEmpty {
            request += Array("Content-Type: text/plain; charset=utf-8\r\nContent-Length: \(body.count)\r\n".utf8)
        }
        request += Array("\r\n".utf8)
        request += body
        if let error = writeAll(fd, request, deadline: deadline) { return .failure(error) }
        // Wipe our copy of the request: it may hold the server password.
        for index in request.indices { request[index] = 0 }
        return readResponse(fd, deadline: deadline)
    }

    var hostHeader: String {
        endpoint.host.contains(":") ? "[\(endpoint.host)]:\(endpoint.port)" : "\(endpoint.host):\(endpoint.port)"
    }

    // MARK: Connecting

    func connect(deadline: Deadline) -> Result<Int32, ClientError> {
        if let unixSocket { return connectUnix(unixSocket, deadline: deadline) }
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(endpoint.host, String(endpoint.port), &hints, &list) == 0, let first = list else {
            return .failure(.nameResolutionFailed(endpoint.host))
        }
        defer { freeaddrinfo(list) }
        // Try every address ("localhost" is ::1 and 127.0.0.1; the client listens on the latter).
        var lastError = ClientError.connectionRefused
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let info = cursor {
            cursor = info.pointee.ai_next
            switch connectOne(info.pointee, deadline: deadline) {
            case .success(let fd): return .success(fd)
            case .failure(.connectTimedOut): return .failure(.connectTimedOut)
            case .failure(let error): lastError = error
            }
        }
        return .failure(lastError)
    }

    private func connectOne(_ info: addrinfo, deadline: Deadline) -> Result<Int32, ClientError> {
        let fd = socket(info.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return .failure(.unreachable(errno: errno)) }
        if info.ai_family != AF_UNIX {
            var one: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        }
        if Glibc.connect(fd, info.ai_addr, info.ai_addrlen) == 0 { return .success(fd) }
        let code = errno
        // A Unix socket connects at once or fails (EAGAIN: its backlog is full); only TCP is
        // ever in progress.
        guard code == EINPROGRESS else {
            close(fd)
            return .failure(Self.connectError(code))
        }
        switch wait(fd, for: Int16(POLLOUT), deadline: deadline) {
        case .ready: break
        case .timedOut:
            close(fd)
            return .failure(.connectTimedOut)
        }
        var soError: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &soError, &length)
        guard soError == 0 else {
            close(fd)
            return .failure(Self.connectError(soError))
        }
        return .success(fd)
    }

    /// Connects to a Unix socket by path: ENOENT (no socket: the peer is not running), EACCES
    /// (the socket's group may not be ours) and ECONNREFUSED come back as they are.
    private func connectUnix(_ path: String, deadline: Deadline) -> Result<Int32, ClientError> {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard !bytes.isEmpty, bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return .failure(.unreachable(errno: ENAMETOOLONG)) }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in bytes.enumerated() { raw[index] = byte }
        }
        return withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                var info = addrinfo()
                info.ai_family = AF_UNIX
                info.ai_addr = socketAddress
                info.ai_addrlen = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + 1)
                return connectOne(info, deadline: deadline)
            }
        }
    }

    private static func connectError(_ code: Int32) -> ClientError {
        switch code {
        case ECONNREFUSED: .connectionRefused
        case ETIMEDOUT: .connectTimedOut
        default: .unreachable(errno: code)
        }
    }

    // MARK: Exchanging

    func writeAll(_ fd: Int32, _ bytes: [UInt8], deadline: Deadline) -> ClientError? {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { raw in
                Glibc.send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
            }
            if written > 0 {
                offset += written
                continue
            }
            let code = errno
            if written < 0 && (code == EAGAIN || code == EWOULDBLOCK || code == EINTR) {
                if case .timedOut = wait(fd, for: Int16(POLLOUT), deadline: deadline) { return .responseTimedOut }
                continue
            }
            return .connectionClosed
        }
        return nil
    }

    private func readResponse(_ fd: Int32, deadline: Deadline) -> Result<HTTPResponse, ClientError> {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1024)
        let parser = ResponseParser()
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                guard buffer.count + count <= responseLimit else { return .failure(.responseTooLarge(limit: responseLimit)) }
                buffer += chunk[0..<count]
                switch parser.parse(buffer, atEOF: false) {
                case .complete(let response): return .success(response)
                case .failed(let error): return .failure(error)
                case .needMore: continue
                }
            }
            if count == 0 {
                switch parser.parse(buffer, atEOF: true) {
                case .complete(let response): return .success(response)
                case .failed(let error): return .failure(error)
                case .needMore: return .failure(.connectionClosed)
                }
            }
            let code = errno
            if code == EAGAIN || code == EWOULDBLOCK || code == EINTR {
                if case .timedOut = wait(fd, for: Int16(POLLIN), deadline: deadline) { return .failure(.responseTimedOut) }
                continue
            }
            return .failure(.connectionClosed)
        }
    }

    enum WaitResult { case ready, timedOut }

    func wait(_ fd: Int32, for events: Int16, deadline: Deadline) -> WaitResult {
        while true {
            let remaining = deadline.remainingMilliseconds()
            if remaining <= 0 { return .timedOut }
            var entry = pollfd(fd: fd, events: events, revents: 0)
            let result = poll(&entry, 1, remaining)
            if result > 0 { return .ready }  // POLLERR/POLLHUP surface on the next syscall
            if result == 0 { return .timedOut }
            if errno != EINTR { return .ready }
        }
    }
}

/// A CLOCK_MONOTONIC deadline for one exchange.
struct Deadline {
    let nanoseconds: UInt64

    init(after duration: Duration) {
        nanoseconds = Self.now() &+ duration.nanosecondsClamped
    }

    func remainingMilliseconds() -> Int32 {
        let now = Self.now()
        guard nanoseconds > now else { return 0 }
        return Int32(clamping: (nanoseconds - now + 999_999) / 1_000_000)
    }

    static func now() -> UInt64 { MonotonicInstant.now().nanoseconds }
}

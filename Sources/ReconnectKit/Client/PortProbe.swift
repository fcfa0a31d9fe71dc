import ReconnectPolicy
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One TCP connect to the server's port (alt:V serves HTTP on its game port, 7788 by default):
/// the server is accepting players once it accepts connections. Blocking, bounded by `timeout`;
/// run it off the event queue.
public struct PortProbe: Sendable {
    public var host: String
    public var port: UInt16
    public var timeout: Duration

    public init(host: String = "127.0.0.1", port: UInt16, timeout: Duration = .milliseconds(500)) {
        self.host = host
        self.port = port
        self.timeout = timeout
    }

    /// True when a TCP connection was accepted.
    public func accepts() -> Bool {
        // The HTTP client already knows how to connect with a deadline; a refused or timed-out
        // connect is the only thing that means "not yet". Any answer, even an HTTP error, is a yes.
        let client = HTTPClient(endpoint: ClientEndpoint(host: host, port: port), timeout: timeout)
        switch client.send(method: "HEAD", path: "/") {
        case .success: return true
        case .failure(let error): return error.mayHaveReachedClient
        }
    }
}

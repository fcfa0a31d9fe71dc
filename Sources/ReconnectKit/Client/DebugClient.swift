import ReconnectPolicy
/// The two calls of the alt:V client's debug API: `GET /status` and `POST /reconnect` (body: the
/// server password, or empty). Only loopback: the client listens on 127.0.0.1:9223.
public struct DebugClient: Sendable {
    public var http: HTTPClient

    public init(endpoint: ClientEndpoint, requestTimeout: Duration) {
        http = HTTPClient(endpoint: endpoint, timeout: requestTimeout)
    }

    public var endpoint: ClientEndpoint { http.endpoint }

    /// `GET /status`: a 2xx answer's body parsed liberally; anything else is an error to retry.
    public func status() -> Result<ClientStatus, ClientError> {
        http.send(method: "GET", path: "/status").flatMap { response in
            guard (200..<300).contains(response.statusCode) else { return .failure(.httpStatus(response.statusCode)) }
            return .success(ClientStatus(parsing: response.body))
        }
    }

    /// `POST /reconnect` with the server password as the body (empty without one).
    ///
    /// What the client answers is undocumented, so any HTTP answer counts as "sent"; whether the
    /// reconnect worked is judged by following `/status` afterwards, never by this answer.
    public func reconnect(password: Secret?) -> Result<HTTPResponse, ClientError> {
        http.send(method: "POST", path: "/reconnect", body: password?.bytes ?? [])
    }
}

/// The server password. Its description is redacted so that it cannot reach a log line,
/// a `STATUS=` message or an error by accident; only `bytes` gives the value, for the POST body.
public struct Secret: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    public let bytes: [UInt8]
    public init(_ bytes: [UInt8]) { self.bytes = bytes }
    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
}

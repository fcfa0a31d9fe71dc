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
    /// An answer no alt:V client gives (a 404, a web page, a body that is no status word) is
    /// `.anotherProgram`: something else listens on the port.
    public func status() -> Result<ClientStatus, ClientError> {
        http.send(method: "GET", path: "/status").flatMap { response in
            guard (200..<300).contains(response.statusCode) else {
                // The client serves /status whatever its state; a 404 or 405 is a server without it.
                if response.statusCode == 404 || response.statusCode == 405 { return .failure(.anotherProgram(what: "HTTP \(response.statusCode) for GET /status")) }
                return .failure(.httpStatus(response.statusCode))
            }
            let status = ClientStatus(parsing: response.body)
            if case .unknown = status, !ClientStatus.isPlausibleStatus(response.body) {
                return .failure(.anotherProgram(what: Self.describe(response.body)))
            }
            return .success(status)
        }
    }

    /// What a body that is no status looks like, for the diagnosis (never more than 40 characters of it).
    static func describe(_ body: [UInt8]) -> String {
        let text = String(decoding: body.prefix(512), as: UTF8.self).trimmingStatusNoise()
        let lower = text.lowercased()
        if lower.hasPrefix("<!doctype html") || lower.hasPrefix("<html") || lower.contains("<body") { return "an HTML page" }
        if text.hasPrefix("{") || text.hasPrefix("[") { return "JSON" }
        let first = text.prefix { $0 != "\n" && $0 != "\r" }
        return "the answer '\(first.prefix(40))\(first.count > 40 ? "…" : "")'"
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

/// Why one request to the client's debug API did not produce a usable answer.
///
/// None of these is fatal to the daemon: the client runs only while GTA V runs, so refused
/// connections are normal for minutes, and slow or odd answers happen while the game loads.
/// `mayHaveReachedClient` is what the reconnect policy needs to keep "never two POSTs for one
/// start": a POST whose connection was refused never happened, one that timed out might have.
public enum ClientError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Nothing listens on the port (ECONNREFUSED): the game is not running or not in debug mode.
    case connectionRefused
    /// No connection within the request timeout, or the host is unreachable.
    case connectTimedOut
    case unreachable(errno: Int32)
    case nameResolutionFailed(String)
    /// Connected and sent, but no complete answer within the request timeout.
    case responseTimedOut
    /// The peer closed or reset the connection before a complete answer.
    case connectionClosed
    /// The answer is not HTTP we can read.
    case malformedResponse(String)
    /// The answer is larger than we are willing to buffer.
    case responseTooLarge(limit: Int)
    /// A well-formed answer with a non-2xx status code.
    case httpStatus(Int)
    /// Something answers on the port, but not the alt:V debug API: a 404 for `/status`, a web
    /// page, a body that is no status word. `what` says what answered ("HTTP 404", "an HTML page").
    case anotherProgram(what: String)

    public var mayHaveReachedClient: Bool {
        switch self {
        case .connectionRefused, .connectTimedOut, .unreachable, .nameResolutionFailed: false
        case .responseTimedOut, .connectionClosed, .malformedResponse, .responseTooLarge, .httpStatus, .anotherProgram: true
        }
    }

    public var description: String {
        switch self {
        case .connectionRefused: "connection refused"
        case .connectTimedOut: "connect timed out"
        case .unreachable(let code): "unreachable (errno \(code))"
        case .nameResolutionFailed(let host): "cannot resolve host \(host)"
        case .responseTimedOut: "no answer within the request timeout"
        case .connectionClosed: "connection closed before a complete answer"
        case .malformedResponse(let why): "malformed answer (\(why))"
        case .responseTooLarge(let limit): "answer larger than \(limit) bytes"
        case .httpStatus(let code): "HTTP \(code)"
        case .anotherProgram(let what): "another program answers, not the alt:V client (\(what))"
        }
    }
}

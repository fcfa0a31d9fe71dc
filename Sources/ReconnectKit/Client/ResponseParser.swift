import ReconnectPolicy
/// Incremental parser for one HTTP/1.x response held in a bounded buffer.
///
/// Understands what small embedded servers send: `Content-Length`, `Transfer-Encoding: chunked`,
/// or a body delimited by the connection closing; bare `\n` line ends are accepted too.
struct ResponseParser {
    enum Outcome {
        case needMore
        case complete(HTTPResponse)
        case failed(ClientError)
    }

    func parse(_ buffer: [UInt8], atEOF: Bool) -> Outcome {
        guard let (headerEnd, bodyStart) = HTTPHead.bounds(in: buffer) else {
            if buffer.count >= 5 && !buffer.starts(with: Array("HTTP/".utf8)) {
                return .failed(.malformedResponse("not an HTTP answer"))
            }
            return atEOF ? .failed(buffer.isEmpty ? .connectionClosed : .malformedResponse("incomplete headers")) : .needMore
        }
        let head = HTTPHead(buffer[0..<headerEnd])
        guard let code = head.statusCode else { return .failed(.malformedResponse("bad status line")) }
        var contentLength: Int?
        if let value = head["content-length"] {
            guard let length = Int(value), length >= 0 else { return .failed(.malformedResponse("bad Content-Length")) }
            contentLength = length
        }
        let body = buffer[bodyStart...]
        if head.isChunked {
            switch Self.decodeChunked(body) {
            case .some(.some(let decoded)): return .complete(HTTPResponse(statusCode: code, body: decoded))
            case .some(.none): return .failed(.malformedResponse("bad chunked encoding"))
            case .none: return atEOF ? .failed(.connectionClosed) : .needMore
            }
        }
        if let contentLength {
            if body.count >= contentLength {
                return .complete(HTTPResponse(statusCode: code, body: Array(body.prefix(contentLength))))
            }
            return atEOF ? .failed(.connectionClosed) : .needMore
        }
        // No framing: the body ends when the server closes (or there is none for 204/304).
        if code == 204 || code == 304 { return .complete(HTTPResponse(statusCode: code, body: [])) }
        return atEOF ? .complete(HTTPResponse(statusCode: code, body: Array(body))) : .needMore
    }

    /// `nil`: need more bytes; `.some(nil)`: malformed; `.some(bytes)`: the decoded body (whole
    /// once the last chunk is read; trailers are not waited for). The same decoder as the
    /// Docker Engine's endless streams, here given the whole buffer.
    static func decodeChunked(_ body: ArraySlice<UInt8>) -> [UInt8]?? {
        var decoder = ChunkedDecoder()
        var decoded: [UInt8] = []
        let failed: Bool = body.withUnsafeBytes { bytes in
            do throws(ChunkedDecoder.Failure) { try decoder.feed(bytes) { decoded += $0 } } catch { return true }
            return false
        }
        if failed { return .some(nil) }
        return decoder.sawLastChunk ? .some(decoded) : nil
    }
}

/// The start line and header fields of an HTTP/1.x message (request or response).
/// Shared by the client's response parser and the simulator's request parser.
public struct HTTPHead: Sendable {
    public var startLine: String
    /// Field names lowercased; the last occurrence wins.
    public var fields: [String: String]

    public init(_ bytes: ArraySlice<UInt8>) {
        let text = String(decoding: bytes, as: UTF8.self)
        // "\r\n" is one Character in Swift: split on both it and a bare "\n".
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
            .map { $0.hasSuffix("\r") ? $0.dropLast() : $0 }
        startLine = lines.isEmpty ? "" : String(lines.removeFirst())
        fields = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingStatusNoise()
        }
    }

    public subscript(name: String) -> String? { fields[name.lowercased()] }

    /// A response's status code: the start line is `HTTP/1.x NNN …` with three digits, 100 or
    /// more. Nil for anything else (a request line, garbage).
    public var statusCode: Int? {
        let parts = startLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), parts[1].utf8.count == 3, parts[1].utf8.allSatisfy({ (0x30...0x39).contains($0) }),
              let code = Int(parts[1]), code >= 100 else { return nil }
        return code
    }

    /// Whether the body is chunk-encoded (`Transfer-Encoding: chunked`).
    public var isChunked: Bool { self["transfer-encoding"]?.lowercased().contains("chunked") ?? false }

    /// Where the header block ends and the body starts, once the blank line has arrived.
    /// Accepts CRLF and bare LF line ends.
    public static func bounds(in buffer: [UInt8]) -> (headerEnd: Int, bodyStart: Int)? {
        var index = 0
        while index < buffer.count {
            if buffer[index] == 10 {
                if index + 1 < buffer.count && buffer[index + 1] == 10 { return (index, index + 2) }
                if index + 2 < buffer.count && buffer[index + 1] == 13 && buffer[index + 2] == 10 { return (index, index + 3) }
            }
            index += 1
        }
        return nil
    }
}

/// An HTTP/1.1 chunked body (RFC 9112 §7.1), decoded as it arrives: bytes in, body bytes out,
/// nothing buffered but the current size line. The Docker Engine streams events and container
/// logs this way, for as long as the connection lasts, so the decoder must never hold a chunk
/// (a chunk may be any size) and must bound everything it does hold.
///
/// Lenient where servers differ (a bare LF ends a line; chunk extensions are skipped), strict
/// where a mistake would desynchronise the stream (a size that is not hex or does not fit, data
/// not followed by its line end).
public struct ChunkedDecoder: Sendable {
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case badChunkSize(String)
        case lineTooLong(limit: Int)
        case missingLineEnd

        public var description: String {
            switch self {
            case .badChunkSize(let text): "a chunk size that is not a hexadecimal number: '\(text)'"
            case .lineTooLong(let limit): "a chunk size or trailer line longer than \(limit) bytes"
            case .missingLineEnd: "chunk data not followed by CRLF"
            }
        }
    }

    private enum State: Sendable, Equatable {
        /// Reading a size line (its bytes so far).
        case size
        /// Passing through this many more data bytes.
        case data(remaining: UInt64)
        /// After the data: the CR, then the LF (or a bare LF).
        case dataEnd(sawCR: Bool)
        /// After the last (zero) chunk: trailer lines until an empty one.
        case trailer
        case finished
    }

    /// The longest size or trailer line kept.
    public static let lineLimit = 4096
    private var state = State.size
    private var line: [UInt8] = []

    public init() {}

    /// The last chunk and its trailer have been read; bytes after them are not part of the body.
    public var isFinished: Bool { state == .finished }
    /// The last (zero-size) chunk has been read: the body is whole (trailers may follow).
    public var sawLastChunk: Bool { state == .trailer || state == .finished }

    /// Decodes `bytes`, calling `body` with each piece of body data in order (valid only during
    /// the call). Throws on a malformed stream; the decoder is then unusable.
    public mutating func feed(_ bytes: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) -> Void) throws(Failure) {
        var index = 0
        while index < bytes.count {
            switch state {
            case .finished:
                return
            case .data(let remaining):
                let count = Int(min(remaining, UInt64(bytes.count - index)))
                body(UnsafeRawBufferPointer(rebasing: bytes[index..<(index + count)]))
                index += count
                state = remaining == UInt64(count) ? .dataEnd(sawCR: false) : .data(remaining: remaining - UInt64(count))
            case .dataEnd(let sawCR):
                let byte = bytes[index]
                index += 1
                if byte == 13 && !sawCR {
                    state = .dataEnd(sawCR: true)
                } else if byte == 10 {
                    state = .size
                } else {
                    throw .missingLineEnd
                }
            case .size, .trailer:
                let byte = bytes[index]
                index += 1
                guard byte == 10 else {
                    guard line.count < Self.lineLimit else { throw .lineTooLong(limit: Self.lineLimit) }
                    line.append(byte)
                    continue
                }
                if line.last == 13 { line.removeLast() }
                defer { line.removeAll(keepingCapacity: true) }
                if state == .trailer {
                    if line.isEmpty { state = .finished }
                    continue
                }
                let size = try Self.chunkSize(line)
                state = size == 0 ? .trailer : .data(remaining: size)
            }
        }
    }

    /// `1a2b` or `1a2b;name=value` (extensions ignored), surrounding blanks allowed.
    static func chunkSize(_ line: [UInt8]) throws(Failure) -> UInt64 {
        let digits = line.prefix { $0 != UInt8(ascii: ";") }.drop { $0 == 32 || $0 == 9 }.reversed().drop { $0 == 32 || $0 == 9 }.reversed()
        let shown = String(decoding: line.prefix(40), as: UTF8.self)
        // Leading zeros are allowed and do not count towards the 16 digits a UInt64 holds.
        guard !digits.isEmpty, digits.drop(while: { $0 == UInt8(ascii: "0") }).count <= 16 else { throw .badChunkSize(shown) }
        var size: UInt64 = 0
        for digit in digits {
            let value: UInt8
            switch digit {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = digit - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): value = digit - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): value = digit - UInt8(ascii: "A") + 10
            default: throw .badChunkSize(shown)
            }
            size = size << 4 | UInt64(value)
        }
        return size
    }
}

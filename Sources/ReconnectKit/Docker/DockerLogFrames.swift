/// The output of a container without a TTY, as `GET /containers/NAME/logs` and `/attach` send
/// it: frames of an 8-byte header — the stream (0 stdin, 1 stdout, 2 stderr; 3 is the engine's
/// own error), three zero bytes, the payload's size as a big-endian 32-bit number — then the
/// payload. With a TTY (`tty: true` in alt:V's compose file) the output is raw bytes instead,
/// and this decoder is not used.
///
/// Decoded as it arrives: a payload is passed through in the pieces it comes in, never
/// gathered (a frame may be up to 4 GB); only the header is buffered.
public struct DockerLogFrames: Sendable {
    public enum Stream: UInt8, Sendable, Equatable {
        case stdin = 0, stdout = 1, stderr = 2, engineError = 3
    }

    public enum Failure: Error, Equatable, CustomStringConvertible {
        /// Not a frame header: the stream is raw (a TTY) or out of step.
        case badHeader([UInt8])

        public var description: String {
            switch self {
            case .badHeader(let bytes): "not a log frame header: \(bytes.map { String($0, radix: 16) }.joined(separator: " "))"
            }
        }
    }

    private var header: [UInt8] = []
    private var current: (stream: Stream, remaining: UInt32)?

    public init() {}

    /// Decodes `bytes`, calling `payload` with each piece of frame payload and its stream, in
    /// order (valid only during the call). Throws at a header that cannot be one.
    public mutating func feed(_ bytes: UnsafeRawBufferPointer, _ payload: (Stream, UnsafeRawBufferPointer) -> Void) throws(Failure) {
        var index = 0
        while index < bytes.count {
            if let (stream, remaining) = current {
                let count = min(Int(remaining), bytes.count - index)
                payload(stream, UnsafeRawBufferPointer(rebasing: bytes[index..<(index + count)]))
                index += count
                current = remaining == UInt32(count) ? nil : (stream, remaining - UInt32(count))
                continue
            }
            let needed = min(8 - header.count, bytes.count - index)
            header += bytes[index..<(index + needed)]
            index += needed
            guard header.count == 8 else { return }
            guard let stream = Stream(rawValue: header[0]), header[1] == 0, header[2] == 0, header[3] == 0 else { throw .badHeader(header) }
            let size = header[4...7].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            header.removeAll(keepingCapacity: true)
            if size > 0 { current = (stream, size) }
        }
    }

    /// A frame as the engine writes it (for tests and the simulator of a container).
    public static func frame(_ stream: Stream, _ payload: [UInt8]) -> [UInt8] {
        let size = UInt32(payload.count)
        return [stream.rawValue, 0, 0, 0, UInt8(size >> 24), UInt8(size >> 16 & 0xFF), UInt8(size >> 8 & 0xFF), UInt8(size & 0xFF)] + payload
    }
}

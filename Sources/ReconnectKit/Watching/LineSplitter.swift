import ReconnectPolicy
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Cuts a byte stream into complete lines, carrying a half-written last line over to the next
/// chunk, with memory bounded by `maximumLineLength`.
///
/// A server writing a line is not atomic with our read: the last bytes of a chunk may be half a
/// line. Only complete (`\n`-terminated) lines are handed out; `\r` before `\n` is dropped.
/// A line longer than `maximumLineLength` is cut to its first `maximumLineLength` bytes (enough
/// for any readiness line, which sits at the start) and the rest is skipped up to its `\n`.
public struct LineSplitter: Sendable {
    public let maximumLineLength: Int
    private var carry: [UInt8] = []
    private var skippingRest = false
    /// How many lines were cut so far (to say so once in the log).
    public private(set) var truncatedLines = 0

    public init(maximumLineLength: Int = 64 * 1024) {
        precondition(maximumLineLength > 0)
        self.maximumLineLength = maximumLineLength
    }

    /// The bytes of an unfinished line held back.
    public var pendingByteCount: Int { carry.count }
    /// The first bytes of the unfinished line, and its last one.
    public func pendingPrefix(_ count: Int) -> ArraySlice<UInt8> { carry.prefix(count) }
    public var lastPendingByte: UInt8? { carry.last }

    /// Forget a pending partial line (the file was truncated or replaced).
    public mutating func reset() {
        carry.removeAll(keepingCapacity: false)
        skippingRest = false
    }

    /// Calls `body` once per complete line in `chunk`, in order. The buffer passed to `body` is
    /// valid only during the call.
    public mutating func split(_ chunk: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) -> Void) {
        guard let base = chunk.baseAddress, chunk.count > 0 else { return }
        var start = 0
        while start < chunk.count {
            let remaining = chunk.count - start
            guard let found = memchr(base + start, 10, remaining) else {
                append(UnsafeRawBufferPointer(start: base + start, count: remaining))
                return
            }
            let end = base.distance(to: UnsafeRawPointer(found))
            let piece = UnsafeRawBufferPointer(start: base + start, count: end - start)
            if carry.isEmpty && !skippingRest {
                emit(piece.count > maximumLineLength ? truncate(piece) : piece, body)
            } else {
                append(piece)
                carry.withUnsafeBytes { emit($0, body) }
                carry.removeAll(keepingCapacity: carry.count <= 4096)
                skippingRest = false
            }
            start = end + 1
        }
    }

    private mutating func truncate(_ piece: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        truncatedLines += 1
        return UnsafeRawBufferPointer(rebasing: piece[0..<maximumLineLength])
    }

    private mutating func append(_ piece: UnsafeRawBufferPointer) {
        guard !skippingRest else { return }
        let room = maximumLineLength - carry.count
        if piece.count > room {
            carry.append(contentsOf: piece[0..<room])
            skippingRest = true
            truncatedLines += 1
        } else {
            carry.append(contentsOf: piece)
        }
    }

    private func emit(_ line: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) -> Void) {
        if line.count > 0 && line[line.count - 1] == 13 {
            body(UnsafeRawBufferPointer(rebasing: line[0..<(line.count - 1)]))
        } else {
            body(line)
        }
    }
}

import Dispatch
import ReconnectPolicy
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The body of one streaming answer of the engine (`/events`, `/containers/NAME/logs?follow=1`),
/// read as the engine writes it: a Dispatch read source on the socket, so the daemon sleeps
/// until there is something to read (no timer, whatever the stream's length); chunked bodies
/// decoded on the way (`ChunkedDecoder`); each piece handed on and forgotten, so memory stays
/// at one 64 KB read buffer however long the stream runs.
///
/// Threading: confined to `queue`; `onBody` and `onEnd` are called on it. `onEnd` is called
/// once, unless `stop()` came first.
public final class EngineStream: @unchecked Sendable {
    public enum End: Sendable, Equatable {
        /// The engine closed the stream (it stopped, or the followed container did).
        case closed
        /// The stream was not what the head promised: the reason.
        case malformed(String)
    }

    private let stream: HTTPClient.OpenStream
    private let queue: DispatchQueue
    private let onBody: (UnsafeRawBufferPointer) -> Void
    private let onEnd: (End) -> Void
    private var source: DispatchSourceRead?
    private var reader: HTTPClient.OpenStream.BodyReader
    private var buffer = [UInt8](repeating: 0, count: 64 * 1024)

    public init(_ stream: HTTPClient.OpenStream, queue: DispatchQueue, onBody: @escaping (UnsafeRawBufferPointer) -> Void,
                onEnd: @escaping (End) -> Void) {
        self.stream = stream
        self.queue = queue
        self.onBody = onBody
        self.onEnd = onEnd
        reader = HTTPClient.OpenStream.BodyReader(for: stream)
    }

    /// Hands on the body bytes that came with the head, then follows the socket. Call on `queue`.
    public func start() {
        dispatchPrecondition(condition: .onQueue(queue))
        let fd = stream.fileDescriptor
        let source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: queue)
        source.setEventHandler { [weak self] in self?.readAvailable() }
        source.setCancelHandler { close(fd) }
        self.source = source
        // Resumed first (its handler runs on this queue, after this returns): a source that is
        // cancelled or released without ever being resumed is a libdispatch error.
        source.resume()
        if !stream.leftover.isEmpty { _ = stream.leftover.withUnsafeBytes(deliver) }
    }

    /// Stops following; `onEnd` is not called. Call on `queue`.
    public func stop() {
        source?.cancel()
        source = nil
    }

    private func readAvailable() {
        guard source != nil else { return }
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(stream.fileDescriptor, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if count > 0 {
                // Handed on from the read buffer itself: no copy per read.
                let delivered = buffer.withUnsafeBytes { deliver(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
                guard delivered else { return }
                continue
            }
            if count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { return }
            if count < 0 && errno == EINTR { continue }
            finish(.closed)
            return
        }
    }

    /// Decodes and hands on `bytes`; false when the stream ended with them.
    private func deliver(_ bytes: UnsafeRawBufferPointer) -> Bool {
        switch reader.feed(bytes, onBody) {
        case .more:
            return true
        case .ended:
            finish(.closed)
        case .malformed(let reason):
            finish(.malformed(reason))
        }
        return false
    }

    private func finish(_ end: End) {
        guard let source else { return }
        source.cancel()
        self.source = nil
        onEnd(end)
    }
}

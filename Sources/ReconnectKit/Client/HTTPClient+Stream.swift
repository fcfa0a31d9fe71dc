import ReconnectPolicy
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A response whose body does not end while the peer has things to say (the Docker Engine's
/// `/events` and followed logs): the request is sent and the head read within the deadline, and
/// the connection is handed over with the body bytes that came along.
extension HTTPClient {
    public struct OpenStream: Sendable {
        /// The connected, non-blocking socket; the caller closes it.
        public var fileDescriptor: Int32
        public var statusCode: Int
        public var head: HTTPHead
        /// Body bytes read together with the head (still chunk-encoded if the body is).
        public var leftover: [UInt8]
    }

    /// Sends `GET path` and reads the response head (at most `responseLimit` bytes, within
    /// `timeout`). Blocking: call it off the event queue.
    public func openStream(path: String) -> Result<OpenStream, ClientError> {
        let deadline = Deadline(after: timeout)
        let fd: Int32
        switch connect(deadline: deadline) {
        case .success(let connected): fd = connected
        case .failure(let error): return .failure(error)
        }
        let request = Array("GET \(path) HTTP/1.1\r\nHost: \(hostHeader)\r\nUser-Agent: altv-reconnectd\r\n\r\n".utf8)
        if let error = writeAll(fd, request, deadline: deadline) {
            close(fd)
            return .failure(error)
        }
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            if let (headerEnd, bodyStart) = HTTPHead.bounds(in: buffer) {
                let head = HTTPHead(buffer[0..<headerEnd])
                guard let code = head.statusCode else {
                    close(fd)
                    return .failure(.malformedResponse("bad status line"))
                }
                return .success(OpenStream(fileDescriptor: fd, statusCode: code, head: head, leftover: Array(buffer[bodyStart...])))
            }
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                guard buffer.count + count <= responseLimit else {
                    close(fd)
                    return .failure(.responseTooLarge(limit: responseLimit))
                }
                buffer += chunk[0..<count]
                continue
            }
            let code = errno
            if count < 0 && (code == EAGAIN || code == EWOULDBLOCK || code == EINTR) {
                if case .timedOut = wait(fd, for: Int16(POLLIN), deadline: deadline) {
                    close(fd)
                    return .failure(.responseTimedOut)
                }
                continue
            }
            close(fd)
            return .failure(buffer.isEmpty ? .connectionClosed : .malformedResponse("incomplete headers"))
        }
    }
}

extension HTTPClient.OpenStream {
    /// The body of an open stream as it arrives: passed through, or chunk-decoded when the
    /// head says chunked. One reader for the endless answers (`EngineStream`) and the ones read
    /// to their end (`HTTPClient.readToEnd`).
    public struct BodyReader: Sendable {
        public enum Step: Sendable, Equatable {
            case more
            /// The last chunk was read: the body ended with these bytes.
            case ended
            case malformed(String)
        }

        private var chunks: ChunkedDecoder?

        public init(for stream: HTTPClient.OpenStream) {
            chunks = stream.head.isChunked ? ChunkedDecoder() : nil
        }

        /// Decodes `bytes`, handing each piece of body to `body` (valid only during the call).
        public mutating func feed(_ bytes: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) -> Void) -> Step {
            guard var decoder = chunks else {
                body(bytes)
                return .more
            }
            var failure: ChunkedDecoder.Failure?
            do throws(ChunkedDecoder.Failure) { try decoder.feed(bytes, body) } catch { failure = error }
            chunks = decoder
            if let failure { return .malformed(failure.description) }
            return decoder.isFinished ? .ended : .more
        }

        /// Whether the peer closing the connection now ends the body whole: always for a raw
        /// body, after the last chunk for a chunked one.
        public var isComplete: Bool { chunks?.sawLastChunk ?? true }
    }
}

extension HTTPClient {
    /// Reads an opened stream's body to its end, blocking, within this client's `timeout`,
    /// handing on each decoded piece: for answers that do end but may be long (a container's
    /// output so far), read like the endless ones, in one buffer. Closes the socket. A deadline
    /// reached is `.responseTimedOut`, with what came before it handed on already.
    public func readToEnd(_ stream: OpenStream, _ body: (UnsafeRawBufferPointer) -> Void) -> Result<Void, ClientError> {
        defer { close(stream.fileDescriptor) }
        let deadline = Deadline(after: timeout)
        var reader = OpenStream.BodyReader(for: stream)
        // nil: go on reading.
        func deliver(_ bytes: UnsafeRawBufferPointer) -> Result<Void, ClientError>? {
            switch reader.feed(bytes, body) {
            case .more: nil
            case .ended: .success(())
            case .malformed(let reason): .failure(.malformedResponse(reason))
            }
        }
        if !stream.leftover.isEmpty, let end = stream.leftover.withUnsafeBytes(deliver) { return end }
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(stream.fileDescriptor, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if count > 0 {
                if let end = buffer.withUnsafeBytes({ deliver(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }) { return end }
                continue
            }
            if count == 0 { return reader.isComplete ? .success(()) : .failure(.connectionClosed) }
            let code = errno
            guard code == EAGAIN || code == EWOULDBLOCK || code == EINTR else { return .failure(.connectionClosed) }
            if case .timedOut = wait(stream.fileDescriptor, for: Int16(POLLIN), deadline: deadline) { return .failure(.responseTimedOut) }
        }
    }
}

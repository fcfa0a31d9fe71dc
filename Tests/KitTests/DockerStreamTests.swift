import ReconnectKit
import Testing

/// The two stream formats the Docker Engine API answers with: HTTP chunked bodies, and the log
/// frames of a container without a TTY. Both decoded as the bytes arrive, however they are cut.
@Suite struct DockerStreamTests {
    /// Feeds `bytes` in pieces cut at the given sizes (cycled).
    static func pieces(_ bytes: [UInt8], cuts: [Int]) -> [[UInt8]] {
        var result: [[UInt8]] = []
        var start = 0
        var cut = 0
        while start < bytes.count {
            let end = min(bytes.count, start + max(1, cuts[cut % cuts.count]))
            result.append(Array(bytes[start..<end]))
            start = end
            cut += 1
        }
        return result
    }

    static func chunked(_ body: [[UInt8]], extensions: Bool = false, trailer: Bool = false) -> [UInt8] {
        var out: [UInt8] = []
        for chunk in body where !chunk.isEmpty {
            out += Array((String(chunk.count, radix: 16, uppercase: chunk.count % 2 == 0) + (extensions ? ";name=\"v\"" : "") + "\r\n").utf8) + chunk + Array("\r\n".utf8)
        }
        out += Array(("0\r\n" + (trailer ? "X-Trailer: 1\r\n" : "") + "\r\n").utf8)
        return out
    }

    /// Feeds one piece. (A typed-throws closure given to `withUnsafeBytes` crashes the 6.3.1
    /// compiler's IR generation, hence the `Result`.)
    static func feed(_ decoder: inout ChunkedDecoder, _ piece: [UInt8], _ body: (UnsafeRawBufferPointer) -> Void) throws {
        let result: Result<Void, ChunkedDecoder.Failure> = piece.withUnsafeBytes { bytes in
            do throws(ChunkedDecoder.Failure) { try decoder.feed(bytes, body) } catch { return .failure(error) }
            return .success(())
        }
        try result.get()
    }

    static func feed(_ decoder: inout DockerLogFrames, _ piece: [UInt8], _ payload: (DockerLogFrames.Stream, UnsafeRawBufferPointer) -> Void) throws {
        let result: Result<Void, DockerLogFrames.Failure> = piece.withUnsafeBytes { bytes in
            do throws(DockerLogFrames.Failure) { try decoder.feed(bytes, payload) } catch { return .failure(error) }
            return .success(())
        }
        try result.get()
    }

    static func decodeChunked(_ pieces: [[UInt8]]) throws -> (body: [UInt8], finished: Bool) {
        var decoder = ChunkedDecoder()
        var body: [UInt8] = []
        for piece in pieces { try feed(&decoder, piece) { body += $0 } }
        return (body, decoder.isFinished)
    }

    @Test func chunkedBodiesDecodeHoweverTheyAreCut() throws {
        var generator = SystemRandomNumberGenerator()
        for round in 0..<300 {
            let chunks = (0..<(1 + round % 5)).map { _ in (0..<Int.random(in: 0..<300, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) } }
            let encoded = Self.chunked(chunks, extensions: round % 3 == 0, trailer: round % 4 == 0) + Array("after the body".utf8)
            let cuts = (0..<5).map { _ in Int.random(in: 1...40, using: &generator) }
            let (body, finished) = try Self.decodeChunked(Self.pieces(encoded, cuts: cuts))
            #expect(body == Array(chunks.joined()))
            #expect(finished)
        }
    }

    @Test func anEndlessStreamIsPassedThroughNotGathered() throws {
        // A 64 MB chunk header, fed 4 KB of it: the data comes out at once, nothing waits.
        var decoder = ChunkedDecoder()
        var seen = 0
        let data = [UInt8](repeating: 65, count: 4096)
        try Self.feed(&decoder, Array("4000000\r\n".utf8)) { seen += $0.count }
        try Self.feed(&decoder, data) { seen += $0.count }
        #expect(seen == 4096)
        #expect(!decoder.isFinished)
    }

    @Test(arguments: [
        ("zz\r\n", ChunkedDecoder.Failure.badChunkSize("zz")),
        ("\r\n", ChunkedDecoder.Failure.badChunkSize("")),
        ("1ffffffffffffffff\r\n", ChunkedDecoder.Failure.badChunkSize("1ffffffffffffffff")),
        ("3\r\nabcX", ChunkedDecoder.Failure.missingLineEnd),
    ])
    func aMalformedStreamIsAnError(text: String, failure: ChunkedDecoder.Failure) {
        #expect(throws: failure) { _ = try Self.decodeChunked([Array(text.utf8)]) }
    }

    @Test func sizesAreHexWithLeadingZerosBlanksAndBareLineFeeds() throws {
        let (body, finished) = try Self.decodeChunked([Array("0000000000000000000003 \nabc\n0\n\n".utf8)])
        #expect(body == Array("abc".utf8) && finished)
        #expect(throws: ChunkedDecoder.Failure.lineTooLong(limit: ChunkedDecoder.lineLimit)) {
            _ = try Self.decodeChunked([[UInt8](repeating: UInt8(ascii: "1"), count: ChunkedDecoder.lineLimit + 1)])
        }
    }

    @Test func logFramesDecodeHoweverTheyAreCut() throws {
        var generator = SystemRandomNumberGenerator()
        for round in 0..<300 {
            let frames: [(DockerLogFrames.Stream, [UInt8])] = (0..<(1 + round % 6)).map { _ in
                ([.stdout, .stderr][Int.random(in: 0...1, using: &generator)],
                 (0..<Int.random(in: 0..<200, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) })
            }
            let encoded = Array(frames.map { DockerLogFrames.frame($0.0, $0.1) }.joined())
            var decoder = DockerLogFrames()
            var out: [DockerLogFrames.Stream: [UInt8]] = [:]
            for piece in Self.pieces(encoded, cuts: (0..<4).map { _ in Int.random(in: 1...20, using: &generator) }) {
                try Self.feed(&decoder, piece) { out[$0, default: []] += $1 }
            }
            #expect(out[.stdout, default: []] == Array(frames.filter { $0.0 == .stdout }.map(\.1).joined()))
            #expect(out[.stderr, default: []] == Array(frames.filter { $0.0 == .stderr }.map(\.1).joined()))
        }
    }

    /// Raw output (a container with a TTY) is not framed: told at its first bytes.
    @Test func rawOutputIsNotAFrame() {
        var decoder = DockerLogFrames()
        #expect(throws: DockerLogFrames.Failure.self) {
            try Self.feed(&decoder, Array("[12:00:01] Server started\n".utf8)) { _, _ in }
        }
    }

    /// An empty frame (a zero size) is a header and nothing else.
    @Test func anEmptyFrameIsJustAHeader() throws {
        var decoder = DockerLogFrames()
        var out: [UInt8] = []
        try Self.feed(&decoder, DockerLogFrames.frame(.stdout, []) + DockerLogFrames.frame(.stderr, Array("x".utf8))) { out += $1 }
        #expect(out == Array("x".utf8))
    }
}

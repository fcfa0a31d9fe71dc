import ReconnectKit
import FuzzSupport

/// The Docker Engine's stream formats (an HTTP chunked body; log frames with 8-byte headers):
/// any bytes are decoded or refused, never a crash, never more memory than a size line; and what
/// the engine would send — the input cut into frames of both streams, then into chunks — comes
/// back whole and in order, however the bytes are cut on the way.
func fuzz(_ input: FuzzInput) {
    var input = input
    let mode = input.byte()
    var cuts = Sequence8(input.byte())
    let text = input.rest

    // 1. Arbitrary bytes, fed in pieces: decoded or refused.
    var chunked = ChunkedDecoder()
    var frames = DockerLogFrames()
    var chunkedFailed = false
    var framesFailed = false
    text.withUnsafeBytes { all in
        var start = 0
        while start < all.count {
            let count = min(all.count - start, cuts.next(below: 64) + 1)
            let piece = UnsafeRawBufferPointer(rebasing: all[start..<(start + count)])
            if !chunkedFailed { do throws(ChunkedDecoder.Failure) { try chunked.feed(piece) { _ in } } catch { chunkedFailed = true } }
            if !framesFailed { do throws(DockerLogFrames.Failure) { try frames.feed(piece) { _, _ in } } catch { framesFailed = true } }
            start += count
        }
    }

    // 2. The input as what the engine sends: frames (sizes from the cut sequence), as chunks.
    var payloads: [(DockerLogFrames.Stream, [UInt8])] = []
    var index = 0
    while index < text.count {
        // Now and then an empty frame (a header alone), never only empty ones.
        let size = payloads.count % 7 == 6 ? 0 : min(text.count - index, cuts.next(below: 300) + 1)
        payloads.append((mode & 1 == 0 ? .stdout : .stderr, Array(text[index..<(index + size)])))
        index += size
    }
    let framed = Array(payloads.map { DockerLogFrames.frame($0.0, $0.1) }.joined())
    var body: [UInt8] = []
    var offset = 0
    while offset < framed.count {
        let size = min(framed.count - offset, cuts.next(below: 500) + 1)
        body += Array(String(size, radix: 16).utf8) + [13, 10] + framed[offset..<(offset + size)] + [13, 10]
        offset += size
    }
    body += Array("0\r\n\r\n".utf8)

    var decoder = ChunkedDecoder()
    var unframe = DockerLogFrames()
    var decoded: [UInt8] = []
    var failure: String?
    body.withUnsafeBytes { all in
        var start = 0
        while start < all.count, failure == nil {
            let count = min(all.count - start, cuts.next(below: 100) + 1)
            do throws(ChunkedDecoder.Failure) {
                try decoder.feed(UnsafeRawBufferPointer(rebasing: all[start..<(start + count)])) { piece in
                    do throws(DockerLogFrames.Failure) { try unframe.feed(piece) { _, payload in decoded += payload } } catch { failure = "\(error)" }
                }
            } catch { failure = "\(error)" }
            start += count
        }
    }
    expect(failure == nil, "a well-formed stream was refused: \(failure ?? "")")
    expect(decoder.isFinished, "the last chunk was not seen")
    expect(decoded == text, "decoded \(decoded.count) bytes, sent \(text.count)")
}

runFuzzer(fuzz)

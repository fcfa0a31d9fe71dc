import ReconnectKit
import FuzzSupport

/// The Docker Engine's stream formats (an HTTP chunked body; log frames with 8-byte headers):
/// any bytes are decoded or refused, never a crash, never more memory than a size line; and what
/// the engine would send — the input cut into frames of both streams, then into chunks — comes
/// back whole and in order, however the bytes are cut on the way. And the engine's times
/// (`StartedAt`, `FinishedAt`): any text parsed or refused, and a time written from a number
/// read back as that number.
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

    // 3. Engine times: arbitrary text, then a time written from the input's first 8 bytes.
    _ = ContainerAPI.unixNanoseconds(String(decoding: text, as: UTF8.self))
    let raw = text.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    let nanoseconds = Int64(raw % 9_183_000_000_000_000_000)  // up to 2261, as far as 64 bits of nanoseconds go
    let written = rfc3339(nanoseconds, digits: Int(mode % 10))
    let kept = nanoseconds - nanoseconds % Int64(pow10(9 - Int(mode % 10)))
    expect(ContainerAPI.unixNanoseconds(written) == kept, "\(written) read as \(String(describing: ContainerAPI.unixNanoseconds(written))), not \(kept)")
}

func pow10(_ n: Int) -> Int { n == 0 ? 1 : 10 * pow10(n - 1) }

/// The engine's format, with `digits` fraction digits (0: none), written by walking the
/// calendar a year and a month at a time (not the arithmetic the parser uses).
func rfc3339(_ nanoseconds: Int64, digits: Int) -> String {
    var days = nanoseconds / 86_400_000_000_000
    let inDay = nanoseconds % 86_400_000_000_000
    var year = 1970
    func leap(_ y: Int) -> Bool { y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) }
    while days >= (leap(year) ? 366 : 365) { days -= leap(year) ? 366 : 365; year += 1 }
    let lengths = [31, leap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    var month = 0
    while days >= lengths[month] { days -= Int64(lengths[month]); month += 1 }
    func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
    let seconds = inDay / 1_000_000_000
    var text = "\(year)-\(two(Int64(month + 1)))-\(two(days + 1))T\(two(seconds / 3600)):\(two(seconds / 60 % 60)):\(two(seconds % 60))"
    if digits > 0 {
        let fraction = String(inDay % 1_000_000_000)
        text += "." + String((String(repeating: "0", count: 9 - fraction.count) + fraction).prefix(digits))
    }
    return text + "Z"
}

runFuzzer(fuzz)

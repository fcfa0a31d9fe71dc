@testable import ReconnectKit
import FuzzSupport

/// The client's HTTP/1.x response parser on any bytes: never a crash; a parsed body is never
/// longer than what arrived; a response complete on a prefix is the same response on the whole
/// (what arrives later cannot change an answer already given); and chunked decoding of anything
/// encoded with any chunk sizes gives the bytes back.
func fuzz(_ input: FuzzInput) {
    var input = input
    let mode = input.byte()
    let bytes = input.rest
    if mode & 1 == 0 {
        let parser = ResponseParser()
        for atEOF in [false, true] {
            if case .complete(let response) = parser.parse(bytes, atEOF: atEOF) {
                expect(response.body.count <= bytes.count, "body of \(response.body.count) bytes from \(bytes.count)")
                expect((100...999).contains(response.statusCode), "status code \(response.statusCode)")
            }
        }
        // Eight cuts: a response complete on a prefix is the same response on the whole.
        var cuts = Sequence8(UInt8(truncatingIfNeeded: bytes.count))
        for end in (0..<8).map({ _ in cuts.next(below: bytes.count + 1) }) {
            guard case .complete(let early) = parser.parse(Array(bytes[..<end]), atEOF: false) else { continue }
            guard case .complete(let whole) = parser.parse(bytes, atEOF: false) else {
                expect(false, "complete after \(end) bytes but not on all \(bytes.count)")
                return
            }
            expect(early == whole, "complete after \(end) bytes with another answer")
        }
    } else {
        var sizes = Sequence8(mode)
        var encoded: [UInt8] = []
        var index = 0
        while index < bytes.count {
            let count = min(bytes.count - index, sizes.next(below: 40) + 1)
            encoded += Array(String(count, radix: 16).utf8) + (mode & 2 == 0 ? [13, 10] : [10])
            encoded += bytes[index..<(index + count)] + [13, 10]
            index += count
        }
        encoded += Array("0\r\n\r\n".utf8)
        guard case .some(.some(let decoded)) = ResponseParser.decodeChunked(encoded[...]) else {
            expect(false, "well-formed chunked body refused")
            return
        }
        expect(decoded == bytes, "chunked round trip changed the body")
    }
}

runFuzzer(fuzz)

@testable import ReconnectKit
import FuzzSupport

/// The chunked readiness scanner (memmem and rarest-byte jumps, colour stripping, line splitting,
/// the line limit) against the simplest possible reference: split the whole input into lines,
/// cut each to the limit, drop a CR at its end, strip colours, ask the pattern. Both must find
/// the same readiness lines, however the input is cut into chunks; the line splitter alone must
/// give the reference's lines.
let patterns: [ReadinessPattern] = [
    "Server started", "(?i)server started", "Server started in debug mode$", "^\\[\\d+:\\d+:\\d+\\] Server",
    "Server (started|ready)", "~", "started\r", "a",
].map { try! ReadinessPattern($0) }

func fuzz(_ input: FuzzInput) {
    var input = input
    let pattern = patterns[Int(input.byte()) % patterns.count]
    let limitByte = input.byte()
    let limit = limitByte >= 200 ? 64 * 1024 : 4 + Int(limitByte) % 120
    var cuts = Sequence8(input.byte())
    let text = input.rest

    // The reference, line by line.
    var expectedLines: [[UInt8]] = []
    var expectedMatches: [[UInt8]] = []
    var scratch: [UInt8] = []
    var lineStart = 0
    for (index, byte) in text.enumerated() where byte == 10 {
        var line = Array(text[lineStart..<index].prefix(limit))
        if line.last == 13 { line.removeLast() }
        expectedLines.append(line)
        line.withUnsafeBytes { raw in
            TerminalText.withStripped(raw, scratch: &scratch) { stripped in
                if pattern.matches(stripped) { expectedMatches.append(Array(stripped)) }
            }
        }
        lineStart = index + 1
    }

    // The scanner and the splitter, chunk by chunk.
    var scanner = ReadinessScanner(pattern: pattern, maximumLineLength: limit)
    var splitter = LineSplitter(maximumLineLength: limit)
    var matches: [[UInt8]] = []
    var lines: [[UInt8]] = []
    text.withUnsafeBytes { all in
        var start = 0
        while start < all.count {
            let count = min(all.count - start, cuts.next(below: 3) == 0 ? 1 : cuts.next(below: 300) + 1)
            let chunk = UnsafeRawBufferPointer(rebasing: all[start..<(start + count)])
            scanner.scan(chunk) { matches.append(Array($0)) }
            splitter.split(chunk) { lines.append(Array($0)) }
            start += count
        }
    }
    expect(lines == expectedLines, "line splitter: \(lines.count) lines, reference \(expectedLines.count)")
    expect(matches == expectedMatches, "scanner found \(matches.count) readiness lines, reference \(expectedMatches.count) (pattern '\(pattern)', limit \(limit))")
}

runFuzzer(fuzz)

@testable import ReconnectKit
import FuzzSupport

/// The chunked line scanner (memmem and rarest-byte jumps, colour stripping, line splitting,
/// the line limit, several patterns in priority order) against the simplest possible reference:
/// split the whole input into lines, cut each to the limit, drop a CR at its end, strip colours,
/// ask each pattern in turn. Both must find the same lines for the same patterns, however the
/// input is cut into chunks; the line splitter alone must give the reference's lines, and the
/// scanner's last line must be the reference's last line (to 200 bytes, CR dropped).
let patterns: [LinePattern] = [
    "Server started", "(?i)server started", "Server started in debug mode$", "^\\[\\d+:\\d+:\\d+\\] Server",
    "Server (started|ready)", "~", "started\r", "a",
].map { try! LinePattern($0) }

/// The daemon's other patterns (crash, shutdown, resource error: an alternation, a literal and a
/// regex with groups), after the fuzzed one, or alone.
let others = ServerLinePatterns()

func fuzz(_ input: FuzzInput) {
    var input = input
    let choice = Int(input.byte())
    let pattern = patterns[choice % patterns.count]
    let scanned = choice & 0x80 != 0 ? [pattern, others.crash, others.shutdown, others.resourceError] : [pattern]
    let limitByte = input.byte()
    let limit = limitByte >= 200 ? 64 * 1024 : 4 + Int(limitByte) % 120
    var cuts = Sequence8(input.byte())
    let text = input.rest

    // The reference, line by line.
    var expectedLines: [[UInt8]] = []
    var expectedMatches: [[UInt8]] = []
    var expectedKinds: [Int] = []
    var scratch: [UInt8] = []
    var lineStart = 0
    for (index, byte) in text.enumerated() where byte == 10 {
        var line = Array(text[lineStart..<index].prefix(limit))
        if line.last == 13 { line.removeLast() }
        expectedLines.append(line)
        line.withUnsafeBytes { raw in
            TerminalText.withStripped(raw, scratch: &scratch) { stripped in
                if let kind = scanned.firstIndex(where: { $0.matches(stripped) }) {
                    expectedMatches.append(Array(stripped))
                    expectedKinds.append(kind)
                }
            }
        }
        lineStart = index + 1
    }

    // The scanner and the splitter, chunk by chunk.
    var scanner = LineScanner(patterns: scanned, maximumLineLength: limit)
    var splitter = LineSplitter(maximumLineLength: limit)
    var matches: [[UInt8]] = []
    var kinds: [Int] = []
    var lines: [[UInt8]] = []
    text.withUnsafeBytes { all in
        var start = 0
        while start < all.count {
            let count = min(all.count - start, cuts.next(below: 3) == 0 ? 1 : cuts.next(below: 300) + 1)
            let chunk = UnsafeRawBufferPointer(rebasing: all[start..<(start + count)])
            scanner.scan(chunk) { kind, line in
                matches.append(Array(line))
                kinds.append(kind)
            }
            splitter.split(chunk) { lines.append(Array($0)) }
            start += count
        }
    }
    expect(lines == expectedLines, "line splitter: \(lines.count) lines, reference \(expectedLines.count)")
    expect(matches == expectedMatches, "scanner found \(matches.count) lines, reference \(expectedMatches.count) (pattern '\(pattern)', \(scanned.count) patterns, limit \(limit))")
    expect(kinds == expectedKinds, "scanner's patterns \(kinds), reference \(expectedKinds)")
    if let lastNewline = text.lastIndex(of: 10) {
        let start = text[..<lastNewline].lastIndex(of: 10).map { $0 + 1 } ?? 0
        var last = Array(text[start..<lastNewline])
        if last.last == 13 { last.removeLast() }
        let expectedLast = Array(last.prefix(200))
        // Exact when the line fits the limit; a cut line is only ever a prefix of the reference.
        expect(scanner.lastLine == expectedLast || (last.count > limit && expectedLast.starts(with: scanner.lastLine.prefix(limit))),
               "last line \(scanner.lastLine.count) bytes, reference \(expectedLast.count)")
    }
}

runFuzzer(fuzz)

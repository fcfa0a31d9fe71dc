import ReconnectPolicy
import CShims
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Finds the lines that match any of a few patterns (the ready line, a resource error, a crash,
/// the shutdown) in a stream of log bytes, chunk by chunk, at `grep -F` speed.
///
/// A server can write tens of MB at start; the daemon must not look at each line one by one.
/// When every pattern has literals (the defaults do), each chunk is handled whole:
/// 1. the line carried over from the previous chunk is completed and checked on its own;
/// 2. without colours (no ESC or `~` in the chunk), glibc's vectorised `memmem` jumps from one
///    occurrence of a literal to the next, and only the lines holding one are bounded
///    (`memrchr`/`memchr`) and given to the full pattern;
/// 3. with colours, `memchr` jumps between occurrences of the literal's rarest byte instead, and
///    only those lines are stripped and checked;
/// 4. the unfinished last line is carried, bounded by `maximumLineLength`.
/// A pattern without a literal falls back to checking every line. A line that matches several
/// patterns counts for the first (the order of `patterns` is their priority).
public struct LineScanner: Sendable {
    /// May change between chunks (a reload): a line carried over is then matched with the new ones.
    public var patterns: [LinePattern]
    private var carry: LineSplitter
    private var lineScratch: [UInt8] = []
    /// The last complete line seen (colours not stripped, at most `lastLineLimit` bytes).
    public private(set) var lastLine: [UInt8] = []
    /// Counts the chunks that completed at least one line (so a caller sees that lines came).
    public private(set) var chunksWithLines = 0
    static let lastLineLimit = 200

    public init(patterns: [LinePattern], maximumLineLength: Int = 64 * 1024) {
        self.patterns = patterns
        carry = LineSplitter(maximumLineLength: maximumLineLength)
    }

    public init(pattern: LinePattern, maximumLineLength: Int = 64 * 1024) {
        self.init(patterns: [pattern], maximumLineLength: maximumLineLength)
    }

    /// Lines cut to `maximumLineLength` so far (to say so once in the log).
    public var truncatedLines: Int { carry.truncatedLines + cutInChunk }
    /// Lines within one chunk that were cut (lines carried across chunks are counted by `carry`).
    private var cutInChunk = 0
    public var maximumLineLength: Int { carry.maximumLineLength }

    /// The stream starts over (truncation, a new file): forget the unfinished line.
    public mutating func reset() { carry.reset() }

    /// Calls `onMatch` with the index of the pattern and the line (colours stripped), for each
    /// matching line completed by `chunk`, in order.
    public mutating func scan(_ chunk: UnsafeRawBufferPointer, _ onMatch: (Int, UnsafeRawBufferPointer) -> Void) {
        guard let base = chunk.baseAddress, chunk.count > 0 else { return }
        let patterns = patterns
        var lineScratch = self.lineScratch
        defer { self.lineScratch = lineScratch }
        let checkLine: (UnsafeRawBufferPointer) -> Void = { line in
            TerminalText.withStripped(line, scratch: &lineScratch) { stripped in
                if let kind = patterns.firstIndex(where: { $0.matches(stripped) }) { onMatch(kind, stripped) }
            }
        }
        var start = 0
        if carry.pendingByteCount > 0 {
            guard let newline = memchr(base, 10, chunk.count) else {
                carry.split(chunk, checkLine)
                return
            }
            start = base.distance(to: UnsafeRawPointer(newline)) + 1
            // The line it completes is the last one so far: its start is in the carry.
            let inChunk = start - 1
            var length = carry.pendingByteCount + inChunk
            if (inChunk > 0 ? chunk[inChunk - 1] : carry.lastPendingByte) == 13 { length -= 1 }
            let kept = min(length, Self.lastLineLimit)
            var completed = Array(carry.pendingPrefix(kept))
            completed += chunk.prefix(kept - completed.count)
            lastLine = completed
            chunksWithLines += 1
            carry.split(UnsafeRawBufferPointer(start: base, count: start), checkLine)
        }
        guard start < chunk.count, let lastNewline = altv_memrchr(base + start, 10, chunk.count - start) else {
            carry.split(UnsafeRawBufferPointer(start: base + start, count: chunk.count - start), checkLine)
            return
        }
        let end = base.distance(to: UnsafeRawPointer(lastNewline)) + 1
        let lines = UnsafeRawBufferPointer(start: base + start, count: end - start)
        let literals = patterns.map(\.literals)
        if literals.allSatisfy({ $0 != nil }) {
            scanForLiterals(lines, literals: literals.map { $0! }, onMatch)
        } else {
            // Every line is whole here (`lines` ends with `\n`), so the splitter carries nothing.
            var splitter = LineSplitter(maximumLineLength: maximumLineLength)
            splitter.split(lines, checkLine)
            cutInChunk += splitter.truncatedLines
        }
        if end < chunk.count {
            carry.split(UnsafeRawBufferPointer(start: base + end, count: chunk.count - end), checkLine)
        }
        rememberLastLine(lines)
    }

    /// With one pattern: calls `onMatch` with each matching line (colours stripped), in order.
    public mutating func scan(_ chunk: UnsafeRawBufferPointer, _ onMatch: (UnsafeRawBufferPointer) -> Void) {
        scan(chunk) { _, line in onMatch(line) }
    }

    /// The last of `lines` (whole lines, each ending with `\n`).
    private mutating func rememberLastLine(_ lines: UnsafeRawBufferPointer) {
        let base = lines.baseAddress!
        chunksWithLines += 1
        let end = lines.count - 1
        let start = altv_memrchr(base, 10, end).map { base.distance(to: $0) + 1 } ?? 0
        var line = UnsafeRawBufferPointer(start: base + start, count: end - start)
        if line.count > 0 && line[line.count - 1] == 13 { line = UnsafeRawBufferPointer(rebasing: line.dropLast()) }
        lastLine = Array(line.prefix(Self.lastLineLimit))
    }

    /// `lines` ends with `\n`. Without colours the literals are searched for all at once
    /// (`altv_find_any`: glibc's memmem for one, an SSE2 pass for several). With colours a line can
    /// only match if it holds a literal's rarest byte (stripping removes bytes, never adds them),
    /// so the search jumps between those bytes and only their lines are stripped and checked.
    /// Each candidate line is checked against every pattern in order, as a line-by-line scan
    /// would, so lines come out in order and once.
    private mutating func scanForLiterals(_ lines: UnsafeRawBufferPointer, literals: [[[UInt8]]], _ onMatch: (Int, UnsafeRawBufferPointer) -> Void) {
        let base = lines.baseAddress!
        let coloured = memchr(base, 0x1B, lines.count) != nil || memchr(base, 0x7E, lines.count) != nil
        var needles = Array(literals.joined())
        if coloured {
            needles = Array(Set(needles.map { [$0.min(by: { ByteRarity.rank($0) < ByteRarity.rank($1) })!] })).sorted { $0[0] < $1[0] }
        }
        let patterns = patterns
        Self.withNeedles(needles) { needles in
            var position = 0
            while position < lines.count, let hit = altv_find_any(base + position, lines.count - position, needles.baseAddress, needles.count) {
                let (line, lineEnd) = line(around: base.distance(to: hit), in: lines)
                if coloured {
                    TerminalText.withStripped(line, scratch: &lineScratch) { stripped in
                        if let kind = patterns.firstIndex(where: { $0.matches(stripped) }) { onMatch(kind, stripped) }
                    }
                } else if let kind = patterns.firstIndex(where: { $0.matches(line) }) {
                    onMatch(kind, line)
                }
                position = lineEnd + 1
            }
        }
    }

    /// The needles as `altv_find_any` takes them, valid during `body`.
    private static func withNeedles<Result>(_ needles: [[UInt8]], _ body: (UnsafeBufferPointer<altv_needle>) -> Result) -> Result {
        let flat = Array(needles.joined())
        return flat.withUnsafeBufferPointer { bytes in
            var offset = 0
            let list = needles.map { needle -> altv_needle in
                defer { offset += needle.count }
                return altv_needle(bytes: bytes.baseAddress! + offset, length: needle.count)
            }
            return list.withUnsafeBufferPointer(body)
        }
    }

    /// The line holding byte `index` of `text` as the line splitter gives it (without its `\n`,
    /// cut to `maximumLineLength`, then without a `\r` at its end), and the index of its `\n`
    /// (or `text.count`). Cut like a line carried across chunks, so where a chunk happens to
    /// end never changes an answer (found by scripts/fuzz).
    private mutating func line(around index: Int, in text: UnsafeRawBufferPointer) -> (UnsafeRawBufferPointer, end: Int) {
        let base = text.baseAddress!
        let start = altv_memrchr(base, 10, index).map { base.distance(to: $0) + 1 } ?? 0
        let end = memchr(base + index, 10, text.count - index).map { base.distance(to: UnsafeRawPointer($0)) } ?? text.count
        var line = UnsafeRawBufferPointer(start: base + start, count: end - start)
        if line.count > maximumLineLength {
            line = UnsafeRawBufferPointer(rebasing: line.prefix(maximumLineLength))
            cutInChunk += 1
        }
        if line.count > 0 && line[line.count - 1] == 13 { line = UnsafeRawBufferPointer(rebasing: line.dropLast()) }
        return (line, end)
    }
}

import ReconnectPolicy
import CShims
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Finds the readiness lines in a stream of log bytes, chunk by chunk, at `grep -F` speed.
///
/// A server can write tens of MB at start; the daemon must not look at each line one by one.
/// For a pattern with a required literal (the default is one), each chunk is handled whole:
/// 1. the line carried over from the previous chunk is completed and checked on its own;
/// 2. without colours (no ESC or `~` in the chunk), glibc's vectorised `memmem` jumps from one
///    occurrence of the literal to the next, and only the lines holding one are bounded
///    (`memrchr`/`memchr`) and given to the full pattern;
/// 3. with colours, `memchr` jumps between occurrences of the literal's rarest byte instead, and
///    only those lines are stripped and checked;
/// 4. the unfinished last line is carried, bounded by `maximumLineLength`.
/// A pattern without a literal falls back to checking every line.
public struct ReadinessScanner: Sendable {
    /// May change between chunks (a reload): a line carried over is then matched with the new one.
    public var pattern: ReadinessPattern
    private var carry: LineSplitter
    private var lineScratch: [UInt8] = []

    public init(pattern: ReadinessPattern, maximumLineLength: Int = 64 * 1024) {
        self.pattern = pattern
        carry = LineSplitter(maximumLineLength: maximumLineLength)
    }

    /// Lines cut to `maximumLineLength` so far (to say so once in the log).
    public var truncatedLines: Int { carry.truncatedLines + cutInChunk }
    /// Lines within one chunk that were cut (lines carried across chunks are counted by `carry`).
    private var cutInChunk = 0
    public var maximumLineLength: Int { carry.maximumLineLength }

    /// The stream starts over (truncation, a new file): forget the unfinished line.
    public mutating func reset() { carry.reset() }

    /// Calls `onMatch` with each readiness line (colours stripped) completed by `chunk`.
    public mutating func scan(_ chunk: UnsafeRawBufferPointer, _ onMatch: (UnsafeRawBufferPointer) -> Void) {
        guard let base = chunk.baseAddress, chunk.count > 0 else { return }
        let pattern = pattern
        var lineScratch = self.lineScratch
        defer { self.lineScratch = lineScratch }
        let checkLine: (UnsafeRawBufferPointer) -> Void = { line in
            if TerminalText.withStripped(line, scratch: &lineScratch, { pattern.matches($0) }) {
                TerminalText.withStripped(line, scratch: &lineScratch, onMatch)
            }
        }
        var start = 0
        if carry.pendingByteCount > 0 {
            guard let newline = memchr(base, 10, chunk.count) else {
                carry.split(chunk, checkLine)
                return
            }
            start = base.distance(to: UnsafeRawPointer(newline)) + 1
            carry.split(UnsafeRawBufferPointer(start: base, count: start), checkLine)
        }
        guard start < chunk.count, let lastNewline = altv_memrchr(base + start, 10, chunk.count - start) else {
            carry.split(UnsafeRawBufferPointer(start: base + start, count: chunk.count - start), checkLine)
            return
        }
        let end = base.distance(to: UnsafeRawPointer(lastNewline)) + 1
        let lines = UnsafeRawBufferPointer(start: base + start, count: end - start)
        if let literal = pattern.requiredLiteral {
            scanForLiteral(lines, literal: literal, onMatch)
        } else {
            // Every line is whole here (`lines` ends with `\n`), so the splitter carries nothing.
            var splitter = LineSplitter(maximumLineLength: maximumLineLength)
            splitter.split(lines, checkLine)
            cutInChunk += splitter.truncatedLines
        }
        if end < chunk.count {
            carry.split(UnsafeRawBufferPointer(start: base + end, count: chunk.count - end), checkLine)
        }
    }

    /// `lines` ends with `\n`. Without colours the literal is searched directly. With colours a
    /// line can only match if it holds the literal's rarest byte (stripping removes bytes, never
    /// adds them), so `memchr` jumps between those and only their lines are stripped and checked.
    private mutating func scanForLiteral(_ lines: UnsafeRawBufferPointer, literal: [UInt8], _ onMatch: (UnsafeRawBufferPointer) -> Void) {
        let base = lines.baseAddress!
        let coloured = memchr(base, 0x1B, lines.count) != nil || memchr(base, 0x7E, lines.count) != nil
        guard coloured else {
            findLines(in: lines, literal: literal, onMatch)
            return
        }
        let rare = Int32(pattern.rarestLiteralByte!)
        var position = 0
        while position < lines.count, let hit = memchr(base + position, rare, lines.count - position) {
            let (line, lineEnd) = line(around: base.distance(to: UnsafeRawPointer(hit)), in: lines)
            let pattern = pattern
            TerminalText.withStripped(line, scratch: &lineScratch) { stripped in
                if pattern.matches(stripped) { onMatch(stripped) }
            }
            position = lineEnd + 1
        }
    }

    private mutating func findLines(in text: UnsafeRawBufferPointer, literal: [UInt8], _ onMatch: (UnsafeRawBufferPointer) -> Void) {
        guard let base = text.baseAddress else { return }
        let pattern = pattern
        literal.withUnsafeBytes { needle in
            var position = 0
            while position < text.count,
                  let hit = altv_memmem(base + position, text.count - position, needle.baseAddress, needle.count) {
                let (line, lineEnd) = line(around: base.distance(to: hit), in: text)
                if pattern.matches(line) { onMatch(line) }
                position = lineEnd + 1
            }
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

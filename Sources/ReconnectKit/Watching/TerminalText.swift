import ReconnectPolicy
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Removes what colours a console line but is not text: ANSI/VT escape sequences (CSI such as
/// `ESC[32m`, OSC such as `ESC]0;title BEL`, two-byte escapes) and alt:V's colour tokens
/// (`~r~`, `~g~`, `~lb~`, `~n~`, … — a `~`, one to six letters, a `~`).
///
/// Scripts colour their lines, so `~g~Server ~w~started` must match `Server started`.
public enum TerminalText {
    /// Calls `body` with the line as it reads without colours. Lines with neither ESC nor `~`
    /// (nearly all of them) are passed through without copying.
    public static func withStripped<R>(_ line: UnsafeRawBufferPointer, scratch: inout [UInt8], _ body: (UnsafeRawBufferPointer) -> R) -> R {
        guard let base = line.baseAddress, line.count > 0,
              memchr(base, 0x1B, line.count) != nil || memchr(base, 0x7E, line.count) != nil
        else { return body(line) }
        scratch.removeAll(keepingCapacity: true)
        strip(line, into: &scratch)
        return scratch.withUnsafeBytes(body)
    }

    /// The stripped form of `text` (convenience for tests and small inputs).
    public static func stripped(_ text: String) -> String {
        var scratch: [UInt8] = []
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBytes { withStripped($0, scratch: &scratch) { String(decoding: $0, as: UTF8.self) } }
    }

    /// Appends `text` without escapes and colour tokens to `out`. Works on a single line or on
    /// many (a whole chunk): no sequence is allowed to swallow a `\n`, so line boundaries stay.
    /// Runs between ESC and `~` are found with `memchr` and copied whole, so the cost follows
    /// the number of tokens, not a byte-by-byte loop.
    static func strip(_ text: UnsafeRawBufferPointer, into out: inout [UInt8]) {
        guard let base = text.baseAddress else { return }
        let count = text.count
        var index = 0
        var nextEscape = next(0x1B, in: text, from: 0)
        var nextTilde = next(0x7E, in: text, from: 0)
        while index < count {
            let special = min(nextEscape, nextTilde)
            if special > index {
                out.append(contentsOf: UnsafeRawBufferPointer(start: base + index, count: special - index))
                index = special
                if index >= count { break }
            }
            if text[index] == 0x1B {
                index = skipEscape(text, from: index)
            } else if let end = colourTokenEnd(text, from: index) {
                index = end
            } else {
                out.append(0x7E)
                index += 1
            }
            if nextEscape < index { nextEscape = next(0x1B, in: text, from: index) }
            if nextTilde < index { nextTilde = next(0x7E, in: text, from: index) }
        }
    }

    /// Index of the next `byte` at or after `start`, or `text.count`.
    private static func next(_ byte: Int32, in text: UnsafeRawBufferPointer, from start: Int) -> Int {
        guard start < text.count, let base = text.baseAddress, let hit = memchr(base + start, byte, text.count - start) else {
            return text.count
        }
        return base.distance(to: UnsafeRawPointer(hit))
    }

    /// Index just past the escape sequence starting at `start` (an ESC).
    private static func skipEscape(_ line: UnsafeRawBufferPointer, from start: Int) -> Int {
        var index = start + 1
        guard index < line.count else { return index }
        switch line[index] {
        case 0x5B:  // '[' CSI: parameters and intermediates, then a final byte 0x40...0x7E
            index += 1
            while index < line.count {
                let byte = line[index]
                if byte == 0x0A { return index }  // never swallow a line end
                index += 1
                if (0x40...0x7E).contains(byte) { break }
            }
            return index
        case 0x5D:  // ']' OSC: up to BEL or ST (ESC \)
            index += 1
            while index < line.count {
                if line[index] == 0x0A { return index }
                if line[index] == 0x07 { return index + 1 }
                if line[index] == 0x1B && index + 1 < line.count && line[index + 1] == 0x5C { return index + 2 }
                index += 1
            }
            return index
        case 0x0A:
            return index
        default:  // two-byte escape (ESC c, ESC 7, ESC ( B's lead…)
            return index + 1
        }
    }

    /// If `~letters~` (1...6 ASCII letters) starts at `start`, the index just past it.
    private static func colourTokenEnd(_ line: UnsafeRawBufferPointer, from start: Int) -> Int? {
        var index = start + 1
        while index < line.count && index - start <= 7 {
            let byte = line[index]
            if byte == 0x7E { return index - start >= 2 ? index + 1 : nil }
            guard (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) else { return nil }
            index += 1
        }
        return nil
    }
}

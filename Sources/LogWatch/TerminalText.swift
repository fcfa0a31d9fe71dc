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

    static func strip(_ line: UnsafeRawBufferPointer, into out: inout [UInt8]) {
        let count = line.count
        var index = 0
        while index < count {
            let byte = line[index]
            if byte == 0x1B {
                index = skipEscape(line, from: index)
                continue
            }
            if byte == 0x7E, let end = colourTokenEnd(line, from: index) {
                index = end
                continue
            }
            out.append(byte)
            index += 1
        }
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
                index += 1
                if (0x40...0x7E).contains(byte) { break }
            }
            return index
        case 0x5D:  // ']' OSC: up to BEL or ST (ESC \)
            index += 1
            while index < line.count {
                if line[index] == 0x07 { return index + 1 }
                if line[index] == 0x1B && index + 1 < line.count && line[index + 1] == 0x5C { return index + 2 }
                index += 1
            }
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

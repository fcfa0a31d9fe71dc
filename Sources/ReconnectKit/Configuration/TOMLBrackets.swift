/// The arrays and inline tables of a TOML text, followed just far enough to find the one
/// malformed shape toml++ (inside TOMLKit 0.6.0) asserts on instead of reporting: a `}` where an
/// array expects a value or its `]` (`ports = [1, }`). Its array parser skips blanks, line
/// breaks and comments, handles `,` and `]`, and hands anything else to the value parser, whose
/// first line asserts that it was not given a value terminator; `}` is the only terminator left
/// by then. Keys and values elsewhere check for terminators themselves.
///
/// Strings are skipped whole (basic with `\` escapes, literal, and both multi-line forms), as
/// are comments and table headers (`[voice]` at the start of a line outside any array). Any `}`
/// met while an array is the innermost open bracket is malformed TOML, so refusing it refuses
/// nothing toml++ would have accepted.
enum TOMLBrackets {
    static func problem(in bytes: [UInt8]) -> (line: Int, reason: String)? {
        var open: [UInt8] = []
        var line = 1
        var index = 0
        var atLineStart = true
        func skipToLineEnd() {
            while index < bytes.count && bytes[index] != 0x0A { index += 1 }
        }
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case 0x0A:
                line += 1
                atLineStart = true
                index += 1
                continue
            case 0x20, 0x09, 0x0D:
                index += 1
                continue
            case UInt8(ascii: "#"):
                skipToLineEnd()
                continue
            case UInt8(ascii: "\""), UInt8(ascii: "'"):
                skipString(bytes, from: &index, line: &line)
                atLineStart = false
                continue
            case UInt8(ascii: "["):
                if open.isEmpty && atLineStart {
                    skipToLineEnd()
                    continue
                }
                open.append(byte)
            case UInt8(ascii: "{"):
                open.append(byte)
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                if byte == UInt8(ascii: "}") && open.last == UInt8(ascii: "[") {
                    return (line, "'}' inside an array, where a value or the closing ']' belongs")
                }
                if !open.isEmpty { open.removeLast() }
            default:
                break
            }
            atLineStart = false
            index += 1
        }
        return nil
    }

    /// Moves `index` past the string that starts there (to the end of the text if it never
    /// closes, or to the line's end for an unclosed one-line string), counting line breaks.
    private static func skipString(_ bytes: [UInt8], from index: inout Int, line: inout Int) {
        let quote = bytes[index]
        let escapes = quote == UInt8(ascii: "\"")
        let multiLine = index + 2 < bytes.count && bytes[index + 1] == quote && bytes[index + 2] == quote
        index += multiLine ? 3 : 1
        while index < bytes.count {
            let byte = bytes[index]
            if escapes && byte == UInt8(ascii: "\\") {
                if index + 1 < bytes.count && bytes[index + 1] == 0x0A { line += 1 }
                index += 2
                continue
            }
            if byte == 0x0A {
                guard multiLine else { return }
                line += 1
            }
            if byte == quote {
                if !multiLine {
                    index += 1
                    return
                }
                if index + 2 < bytes.count && bytes[index + 1] == quote && bytes[index + 2] == quote {
                    // Up to two more quotes may end the string's content (`""""" `).
                    index += 3
                    while index < bytes.count && bytes[index] == quote { index += 1 }
                    return
                }
            }
            index += 1
        }
    }
}

import ReconnectPolicy
import CShims
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A compiled POSIX extended regular expression (glibc), freed with its owner.
final class CompiledRegex: @unchecked Sendable {
    // @unchecked: regexec on a compiled pattern only reads it (glibc locks internally), and the
    // daemon matches on one queue anyway.
    private var regex = regex_t()

    struct CompileError: Error { var reason: String }

    init(_ pattern: String, caseInsensitive: Bool) throws(CompileError) {
        // Not REG_NOSUB: `firstMatch` reports where the match and its groups are (it runs only on
        // lines that hold the pattern's literal, so the bookkeeping costs nothing measurable).
        let flags = REG_EXTENDED | REG_NEWLINE | (caseInsensitive ? REG_ICASE : 0)
        let status = regcomp(&regex, pattern, flags)
        guard status == 0 else {
            var message = [CChar](repeating: 0, count: 256)
            regerror(status, &regex, &message, message.count)
            regfree(&regex)
            throw CompileError(reason: String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
    }

    /// Matches a copy of the line with a NUL after it, bounded by `REG_STARTEND` (so a NUL inside
    /// the line does not end it). Why the copy: glibc honours `REG_STARTEND`, but musl's regexec
    /// and AddressSanitizer's interceptor run `strlen` on the string, past the end of a line that
    /// sits in the middle of a read buffer (found by scripts/fuzz). The regex only sees lines that
    /// hold the pattern's literal, so the copy costs nothing measurable.
    func matches(_ line: UnsafeRawBufferPointer) -> Bool {
        firstMatch(line, groups: false) != nil
    }

    /// Where the first match is, and the last of its parenthesised groups that took part in it
    /// (nil when none did): byte offsets into `line`.
    func firstMatch(_ line: UnsafeRawBufferPointer, groups: Bool = true) -> (whole: Range<Int>, lastGroup: Range<Int>?)? {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: line.count + 1) { copy in
            if let base = line.baseAddress { UnsafeMutableRawPointer(copy.baseAddress!).copyMemory(from: base, byteCount: line.count) }
            copy[line.count] = 0
            var ranges = [regmatch_t](repeating: regmatch_t(rm_so: -1, rm_eo: -1), count: groups ? 10 : 1)
            ranges[0] = regmatch_t(rm_so: 0, rm_eo: regoff_t(line.count))
            guard regexec(&regex, copy.baseAddress!, ranges.count, &ranges, REG_STARTEND) == 0 else { return nil }
            let whole = Int(ranges[0].rm_so)..<Int(ranges[0].rm_eo)
            let group = ranges.dropFirst().last { $0.rm_so >= 0 && $0.rm_eo >= $0.rm_so }.map { Int($0.rm_so)..<Int($0.rm_eo) }
            return (whole, group)
        }
    }

    deinit { regfree(&regex) }
}

/// A rough ranking of how common each byte is in server logs (lower = rarer), to pick the byte
/// a scan jumps between: uppercase letters and rare lowercase letters are rare; spaces, common
/// letters, digits and timestamp punctuation are common. Only the order matters.
enum ByteRarity {

    static func rank(_ byte: UInt8) -> Int {
        switch byte {
        case 0x20: 255
        case UInt8(ascii: "e"), UInt8(ascii: "t"), UInt8(ascii: "a"), UInt8(ascii: "o"), UInt8(ascii: "i"),
             UInt8(ascii: "n"), UInt8(ascii: "s"), UInt8(ascii: "r"): 230
        case UInt8(ascii: "h"), UInt8(ascii: "l"), UInt8(ascii: "d"), UInt8(ascii: "c"), UInt8(ascii: "u"): 200
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: ":"), UInt8(ascii: "["), UInt8(ascii: "]"): 190
        case UInt8(ascii: "m"), UInt8(ascii: "f"), UInt8(ascii: "p"), UInt8(ascii: "g"), UInt8(ascii: "w"),
             UInt8(ascii: "y"), UInt8(ascii: "b"), UInt8(ascii: "."), UInt8(ascii: ","), UInt8(ascii: "-"): 150
        case UInt8(ascii: "v"), UInt8(ascii: "k"): 90
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): 60
        case UInt8(ascii: "x"), UInt8(ascii: "j"), UInt8(ascii: "q"), UInt8(ascii: "z"): 40
        default: 20
        }
    }
}

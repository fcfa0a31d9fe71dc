#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The line that says "the server is ready", as a regular expression (Swift `Regex` syntax),
/// matched against each complete log line after colours are stripped.
///
/// The default, `Server started`, matches alt:V's `[12:42:21] Server started` as well as newer
/// servers' `[13:21:46][Warning] Server started in debug mode`.
///
/// Speed: most log lines are not the readiness line, so a literal every match must contain is
/// extracted from the pattern and looked for with `memmem` first; the regex runs only on lines
/// that contain it. A pure literal (like the default) never runs the regex engine at all.
public struct ReadinessPattern: @unchecked Sendable, CustomStringConvertible {
    // @unchecked: Regex<AnyRegexOutput> is immutable after construction and only read.
    public static let defaultSource = "Server started"

    public let source: String
    private let regex: Regex<AnyRegexOutput>
    /// Bytes every matching line contains, if the pattern guarantees any.
    let requiredLiteral: [UInt8]?
    /// The pattern has no regex syntax at all: the literal test is the whole test.
    let isPlainLiteral: Bool

    public struct SyntaxError: Error, CustomStringConvertible {
        public var pattern: String
        public var reason: String
        public var description: String {
            "invalid --ready-pattern '\(pattern)': \(reason); use a regular expression such as 'Server started'"
        }
    }

    public init(_ source: String) throws(SyntaxError) {
        guard !source.isEmpty else { throw SyntaxError(pattern: source, reason: "it is empty and would match every line") }
        do {
            regex = try Regex(source)
        } catch {
            throw SyntaxError(pattern: source, reason: "\(error)".split(separator: "\n").first.map(String.init) ?? "not a regular expression")
        }
        self.source = source
        let analysis = Self.requiredLiteral(of: source)
        requiredLiteral = analysis.literal.flatMap { $0.isEmpty ? nil : Array($0.utf8) }
        isPlainLiteral = analysis.isPlain
        if (try? regex.firstMatch(in: "")) != nil {
            throw SyntaxError(pattern: source, reason: "it matches an empty line, so every line would count as readiness")
        }
    }

    public static var `default`: ReadinessPattern { try! ReadinessPattern(defaultSource) }

    public var description: String { source }

    /// Does this (already colour-stripped) line announce readiness?
    public func matches(_ line: UnsafeRawBufferPointer) -> Bool {
        if let literal = requiredLiteral {
            guard Self.contains(line, literal) else { return false }
            if isPlainLiteral { return true }
        }
        let text = String(decoding: line, as: UTF8.self)
        return (try? regex.firstMatch(in: text)) != nil
    }

    public func matches(_ line: String) -> Bool {
        var bytes = Array(line.utf8)
        return bytes.withUnsafeMutableBytes { matches(UnsafeRawBufferPointer($0)) }
    }

    /// The regex alone, without the literal prefilter (to check the prefilter never changes an answer).
    func matchesByRegexOnly(_ line: String) -> Bool {
        (try? regex.firstMatch(in: line)) != nil
    }

    static func contains(_ haystack: UnsafeRawBufferPointer, _ needle: [UInt8]) -> Bool {
        guard haystack.count >= needle.count, let base = haystack.baseAddress, let first = needle.first else { return false }
        // memchr for the first byte, memcmp for the rest (glibc's memmem is not exported to Swift).
        return needle.withUnsafeBytes { needleBytes in
            let last = haystack.count - needle.count
            var offset = 0
            while offset <= last, let hit = memchr(base + offset, Int32(first), last - offset + 1) {
                let position = base.distance(to: UnsafeRawPointer(hit))
                if memcmp(base + position, needleBytes.baseAddress!, needle.count) == 0 { return true }
                offset = position + 1
            }
            return false
        }
    }

    /// The longest run of literal characters that any match must contain, found by a
    /// conservative scan of the top level of the pattern. Returns no literal whenever the
    /// pattern could match without one: a top-level `|`, inline options such as `(?i)`, or
    /// nothing but classes and groups.
    static func requiredLiteral(of pattern: String) -> (literal: String?, isPlain: Bool) {
        let characters = Array(pattern)
        if pattern.contains("(?") || pattern.contains("\\Q") { return (nil, false) }
        var runs: [String] = []
        var run = ""
        var depth = 0
        var plain = true
        var index = 0
        func endRun() {
            if !run.isEmpty { runs.append(run) }
            run = ""
        }
        while index < characters.count {
            let character = characters[index]
            index += 1
            if depth > 0 {
                plain = false
                if character == "\\" { index += 1 }
                else if character == "(" { depth += 1 }
                else if character == ")" { depth -= 1 }
                else if character == "[" { index = skipClass(characters, from: index) }
                continue
            }
            switch character {
            case "|":
                return (nil, false)
            case "\\":
                guard index < characters.count else { return (nil, false) }
                let escaped = characters[index]
                index += 1
                plain = false
                if escaped.isLetter || escaped.isNumber {
                    endRun()  // \d, \s, \b, \x41, backreferences…: not a literal character
                } else {
                    run.append(escaped)
                }
            case "*", "?", "{":
                // The previous atom may be absent: it is not required.
                plain = false
                if !run.isEmpty { run.removeLast() }
                endRun()
                if character == "{" { while index < characters.count && characters[index - 1] != "}" { index += 1 } }
            case "+":
                plain = false
                endRun()
            case ".", "^", "$":
                plain = false
                endRun()
            case "(":
                plain = false
                endRun()
                depth = 1
            case "[":
                plain = false
                endRun()
                index = skipClass(characters, from: index)
            default:
                run.append(character)
            }
        }
        endRun()
        if depth != 0 { return (nil, false) }
        // A quantifier can follow a group or class and make the next literal optional only
        // through the atoms we already dropped, so the remaining runs are all required.
        let longest = runs.max(by: { $0.utf8.count < $1.utf8.count })
        return (longest, plain && runs.count == 1)
    }

    private static func skipClass(_ characters: [Character], from start: Int) -> Int {
        var index = start
        if index < characters.count && characters[index] == "^" { index += 1 }
        if index < characters.count && characters[index] == "]" { index += 1 }
        while index < characters.count {
            if characters[index] == "\\" { index += 2; continue }
            if characters[index] == "]" { return index + 1 }
            index += 1
        }
        return index
    }
}

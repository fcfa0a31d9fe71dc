import ReconnectPolicy
import CShims
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A server line the daemon recognises (the ready line, a resource error, a crash, the shutdown):
/// a POSIX extended regular expression (the syntax of `grep -E`), matched against each complete
/// log line after colours are stripped.
/// Two conveniences on top: `\d`/`\D` mean `[0-9]`/`[^0-9]`, and a leading `(?i)` makes the
/// match case-insensitive.
///
/// The default, `Server started`, matches alt:V's `[12:42:21] Server started` as well as newer
/// servers' `[13:21:46][Warning] Server started in debug mode`.
///
/// Why glibc's regex engine and not Swift `Regex`: it is already mapped (libc), costs no memory
/// when unused, and matches in place on bytes (`REG_STARTEND`); Swift `Regex` added ~2.4 MB of
/// peak RSS on its own, a quarter of the daemon's memory budget (README, Performance).
///
/// Speed: most log lines are not the readiness line, so a literal every match must contain is
/// extracted from the pattern and searched for first; the regex runs only on lines that contain
/// it. A pure literal (like the default) never runs the regex engine at all. A top-level
/// alternation (`MiniDump created|Segmentation fault`) is split into its branches, each with its
/// own literal, so that it is searched as fast as a literal too.
public struct LinePattern: Sendable, CustomStringConvertible, Equatable {
    public static let defaultSource = "Server started"

    public let source: String
    /// nil when the pattern is a plain literal: the literal test is the whole test.
    private let compiled: CompiledRegex?
    /// Bytes every matching line contains, if the pattern guarantees any.
    let requiredLiteral: [UInt8]?
    /// The branches of a top-level alternation, each a pattern of its own (empty otherwise).
    private let branches: [LinePattern]
    /// What a line must contain to possibly match: one of these literals (one per branch), or
    /// nil when some match needs none (every line must then be checked).
    var literals: [[UInt8]]? {
        if branches.isEmpty { return requiredLiteral.map { [$0] } }
        let each = branches.compactMap(\.requiredLiteral)
        return each.count == branches.count ? each : nil
    }
    /// The byte of `requiredLiteral` least likely to occur in log text (see `ByteRarity`).
    var rarestLiteralByte: UInt8? { requiredLiteral?.min(by: { ByteRarity.rank($0) < ByteRarity.rank($1) }) }

    public struct SyntaxError: Error, CustomStringConvertible {
        public var pattern: String
        public var reason: String
        public var description: String {
            "invalid pattern '\(pattern)': \(reason); use an extended regular expression (grep -E syntax) such as 'Server started'"
        }
    }

    public init(_ source: String) throws(SyntaxError) {
        guard !source.isEmpty else { throw SyntaxError(pattern: source, reason: "it is empty and would match every line") }
        self.source = source
        var body = source
        var caseInsensitive = false
        if body.hasPrefix("(?i)") {
            body.removeFirst(4)
            caseInsensitive = true
        }
        if let problem = Self.sizeProblem(of: body) { throw SyntaxError(pattern: source, reason: problem) }
        let alternatives = Self.topLevelBranches(of: body)
        if alternatives.count > 1 {
            var branches: [LinePattern] = []
            for branch in alternatives {
                do { branches.append(try LinePattern((caseInsensitive ? "(?i)" : "") + branch)) } catch {
                    throw SyntaxError(pattern: source, reason: "in '\(branch)': \(error.reason)")
                }
            }
            self.branches = branches
            compiled = nil
            requiredLiteral = nil
            return
        }
        branches = []
        let analysis = Self.requiredLiteral(of: body)
        if analysis.isPlain && !caseInsensitive, let literal = analysis.literal {
            compiled = nil
            requiredLiteral = Array(literal.utf8)
            return
        }
        do {
            compiled = try CompiledRegex(Self.translatingDigitClasses(body), caseInsensitive: caseInsensitive)
        } catch {
            throw SyntaxError(pattern: source, reason: error.reason)
        }
        requiredLiteral = caseInsensitive ? nil : analysis.literal.flatMap { $0.isEmpty ? nil : Array($0.utf8) }
        if compiled!.matches(UnsafeRawBufferPointer(start: nil, count: 0)) {
            throw SyntaxError(pattern: source, reason: "it matches an empty line, so every line would count as readiness")
        }
    }

    public static var `default`: LinePattern { try! LinePattern(defaultSource) }

    public var description: String { source }

    /// Does this (already colour-stripped) line match?
    public func matches(_ line: UnsafeRawBufferPointer) -> Bool {
        if !branches.isEmpty { return branches.contains { $0.matches(line) } }
        if let literal = requiredLiteral, !Self.contains(line, literal) { return false }
        guard let compiled else { return true }
        return compiled.matches(line)
    }

    /// Where in the line the match is, and the last parenthesised group that took part in it
    /// (a resource's name in `Failed to (load|start) resource ([^ :]+)`), as byte offsets.
    public func match(_ line: UnsafeRawBufferPointer) -> (whole: Range<Int>, lastGroup: Range<Int>?)? {
        if !branches.isEmpty {
            for branch in branches { if let found = branch.match(line) { return found } }
            return nil
        }
        if let compiled {
            if let literal = requiredLiteral, !Self.contains(line, literal) { return nil }
            return compiled.firstMatch(line)
        }
        guard let literal = requiredLiteral, let base = line.baseAddress, line.count >= literal.count,
              let hit = literal.withUnsafeBytes({ altv_memmem(base, line.count, $0.baseAddress, literal.count) }) else { return nil }
        let start = base.distance(to: hit)
        return (start..<start + literal.count, nil)
    }

    /// `a|b(c|d)|e` → `a`, `b(c|d)`, `e`: the `|`s outside groups, brackets and escapes.
    static func topLevelBranches(of pattern: String) -> [String] {
        let characters = Array(pattern)
        var branches: [String] = []
        var start = 0
        var depth = 0
        var index = 0
        while index < characters.count {
            switch characters[index] {
            case "\\": index += 1
            case "[": index = bracketEnd(characters, from: index + 1) - 1
            case "(": depth += 1
            case ")": depth = max(depth - 1, 0)
            case "|" where depth == 0:
                branches.append(String(characters[start..<index]))
                start = index + 1
            default: break
            }
            index += 1
        }
        branches.append(String(characters[start...]))
        return branches
    }

    public func matches(_ line: String) -> Bool {
        Array(line.utf8).withUnsafeBytes { matches($0) }
    }

    /// The regex alone, without the literal prefilter (to check the prefilter never changes an answer).
    func matchesByRegexOnly(_ line: String) -> Bool {
        guard let compiled else { return matches(line) }
        return Array(line.utf8).withUnsafeBytes { compiled.matches($0) }
    }

    /// `\d` → `[0-9]`, `\D` → `[^0-9]` outside bracket expressions (POSIX ERE has neither).
    static func translatingDigitClasses(_ pattern: String) -> String {
        let characters = Array(pattern)
        var out = ""
        var index = 0
        while index < characters.count {
            let character = characters[index]
            if character == "[" {
                let end = bracketEnd(characters, from: index + 1)
                out += String(characters[index..<end])
                index = end
                continue
            }
            if character == "\\", index + 1 < characters.count {
                switch characters[index + 1] {
                case "d": out += "[0-9]"
                case "D": out += "[^0-9]"
                default: out += String(characters[index...(index + 1)])
                }
                index += 2
                continue
            }
            out.append(character)
            index += 1
        }
        return out
    }

    /// The index just after the bracket expression whose `[` is just before `start`, read as POSIX
    /// does: a `]` first (after an optional `^`) is a member, a backslash is an ordinary member
    /// (no escapes inside brackets), and `[:name:]`, `[.x.]`, `[=x=]` are single members. (Reading
    /// `\]` as an escape made a top-level `|` after it invisible: found by scripts/fuzz.)
    static func bracketEnd(_ characters: [Character], from start: Int) -> Int {
        var index = start
        if index < characters.count && characters[index] == "^" { index += 1 }
        if index < characters.count && characters[index] == "]" { index += 1 }
        while index < characters.count {
            if characters[index] == "[", index + 1 < characters.count, ":.=".contains(characters[index + 1]) {
                let close = characters[index + 1]
                var end = index + 2
                while end + 1 < characters.count && !(characters[end] == close && characters[end + 1] == "]") { end += 1 }
                if end + 1 < characters.count {
                    index = end + 2
                    continue
                }
            }
            if characters[index] == "]" { return index + 1 }
            index += 1
        }
        return index
    }

    static func selectivity(_ run: String) -> Int {
        min(run.utf8.count, 8) * 100 - (run.utf8.map(ByteRarity.rank).min() ?? 255)
    }

    static func contains(_ haystack: UnsafeRawBufferPointer, _ needle: [UInt8]) -> Bool {
        guard haystack.count >= needle.count, let base = haystack.baseAddress else { return false }
        return needle.withUnsafeBytes { altv_memmem(base, haystack.count, $0.baseAddress, needle.count) != nil }
    }

    /// Largest regex, in copies of its atoms, that a readiness pattern may expand to.
    static let maximumExpansion = 10_000

    /// Why the pattern would make glibc's `regcomp` build something enormous, or nil. glibc expands
    /// `x{n,m}` into m copies of `x` (and `x+` into two), nested repeats multiply, and stacked
    /// quantifiers (`a++`, which POSIX leaves undefined) double at each step: a mistyped pattern
    /// took more than 2 GB (found by scripts/fuzz). A readiness line never needs that.
    static func sizeProblem(of pattern: String) -> String? {
        let characters = Array(pattern)
        var groups: [Int] = [0]  // the size of each open group so far
        var lastAtom = 0  // the size of the atom a quantifier would repeat (0: none)
        var afterQuantifier = false
        func atom(_ size: Int) {
            groups[groups.count - 1] += size
            lastAtom = size
            afterQuantifier = false
        }
        func repeatLast(_ times: Int, _ text: String) -> String? {
            if afterQuantifier { return "'\(text)' follows another repetition (POSIX leaves stacked repetitions undefined): write one" }
            let size = lastAtom.multipliedReportingOverflow(by: times)
            groups[groups.count - 1] += size.overflow ? maximumExpansion : size.partialValue - lastAtom
            lastAtom = size.overflow ? maximumExpansion : size.partialValue
            afterQuantifier = true
            return nil
        }
        var index = 0
        while index < characters.count {
            switch characters[index] {
            case "\\":
                index += 1
                atom(1)
            case "[":
                index = bracketEnd(characters, from: index + 1) - 1  // one atom
                atom(1)
            case "(":
                groups.append(0)
                lastAtom = 0
                afterQuantifier = false
            case ")":
                let group = groups.count > 1 ? groups.removeLast() : 0
                atom(max(group, 1))
            case "|":
                lastAtom = 0
                afterQuantifier = false
            case "*", "?":
                if let problem = repeatLast(1, String(characters[index])) { return problem }
            case "+":
                if let problem = repeatLast(2, "+") { return problem }
            case "{":
                guard let close = characters[index...].firstIndex(of: "}") else { atom(1); break }
                let text = String(characters[(index + 1)..<close])
                let bounds = text.split(separator: ",", omittingEmptySubsequences: false).map { Int($0) }
                guard (1...2).contains(bounds.count), bounds[0] != nil || bounds.count == 2 else { atom(1); break }
                let count = max(bounds.compactMap { $0 }.max() ?? 1, 1)
                if let problem = repeatLast(count, "{\(text)}") { return problem }
                index = close
            default:
                atom(1)
            }
            index += 1
        }
        let total = groups.reduce(0) { $0.addingReportingOverflow($1).partialValue }
        if total > maximumExpansion || total < 0 {
            return "its repetitions expand to more than \(maximumExpansion) copies (glibc copies x{n,m} m times, and nested ones multiply): use smaller counts"
        }
        return nil
    }

    /// The longest run of literal characters that any match must contain, found by a
    /// conservative scan of the top level of the pattern. Returns no literal whenever the
    /// pattern could match without one: a top-level `|`, inline options such as `(?i)`, or
    /// nothing but classes and groups.
    static func requiredLiteral(of pattern: String) -> (literal: String?, isPlain: Bool) {
        let characters = Array(pattern)
        if pattern.contains("(?") { return (nil, false) }
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
                else if character == "[" { index = bracketEnd(characters, from: index) }
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
                if escaped.isLetter || escaped.isNumber || "`'<>".contains(escaped) {
                    // \d, \s, \b, backreferences, and glibc's anchors \` \' \< \> (start and end of
                    // the line, of a word): not a literal character (the anchors found by scripts/fuzz).
                    endRun()
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
                index = bracketEnd(characters, from: index)
            default:
                run.append(character)
            }
        }
        endRun()
        if depth != 0 { return (nil, false) }
        // A quantifier can follow a group or class and make the next literal optional only
        // through the atoms we already dropped, so the remaining runs are all required.
        // The most selective run: long (up to 8 bytes counts), and holding a rare byte. Of
        // `Failed to (load|start) resource`, "Failed to " and not " resource " (alt:V writes
        // "Loading resource X" on every start, which would make every such line a candidate).
        let longest = runs.max(by: { Self.selectivity($0) < Self.selectivity($1) })
        return (longest, plain && runs.count == 1)
    }
}

extension LinePattern {
    /// Two patterns are the same when their source text is (the compiled form follows from it).
    public static func == (lhs: LinePattern, rhs: LinePattern) -> Bool { lhs.source == rhs.source }
}

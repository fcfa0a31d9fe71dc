@testable import ReconnectKit
import Testing
import TestSupport

@Suite struct ReadinessPatternTests {
    @Test func defaultMatchesOldAndNewServers() {
        let pattern = ReadinessPattern.default
        #expect(pattern.matches("[12:42:21] Server started"))
        #expect(pattern.matches("[13:21:46][Warning] Server started in debug mode"))
        #expect(!pattern.matches("[12:42:20] Server starting"))
        #expect(!pattern.matches("[12:42:20] server started"))
    }

    @Test func regexesWork() throws {
        let pattern = try ReadinessPattern(#"\[\d\d:\d\d:\d\d\] (Server|Gamemode) (started|ready)$"#)
        #expect(pattern.matches("[10:00:00] Gamemode ready"))
        #expect(pattern.matches("[10:00:00] Server started"))
        #expect(!pattern.matches("[10:00:00] Server started later"))
        let caseless = try ReadinessPattern("(?i)server STARTED")
        #expect(caseless.matches("Server started"))
        let alternation = try ReadinessPattern("ready|started")
        #expect(alternation.matches("now ready"))
    }

    @Test(arguments: [
        ("Server started", "Server started"),
        (#"\[\d+\] Server started"#, "] Server started"),
        ("Server started.*debug", "Server started"),
        ("a?Server", "Server"),
        (#"Server\.js started"#, "Server.js started"),
        ("x(y|z)+Server startedQ*", "Server started"),
    ])
    func extractsARequiredLiteral(pattern: String, literal: String) throws {
        #expect(ReadinessPattern.requiredLiteral(of: pattern).literal == literal)
        // The prefilter never changes the answer the regex alone gives.
        let compiled = try ReadinessPattern(pattern)
        for line in ["...xzServer started. debug", "Server started", "Server", "[12] Server started", "Server.js started", "nothing"] {
            #expect(compiled.matches(line) == compiled.matchesByRegexOnly(line), "\(pattern) on \(line)")
        }
    }

    @Test(arguments: ["a|b", "(?i)Server", "[abc]+", #"\d+"#])
    func hasNoLiteralWhenNoneIsRequired(pattern: String) {
        #expect(ReadinessPattern.requiredLiteral(of: pattern).literal == nil)
    }

    @Test(arguments: ["(", "", ".*", "a*", "[unclosed"])
    func rejectsUselessOrBrokenPatterns(pattern: String) {
        #expect(throws: ReadinessPattern.SyntaxError.self) { try ReadinessPattern(pattern) }
    }
}

/// Found by scripts/fuzz: the regex must never read past the line it is given (musl and
/// AddressSanitizer run strlen on it); a line in the middle of a buffer, without a NUL after it,
/// and a line holding a NUL both match exactly on their own bytes.
@Suite struct CompiledRegexBoundsTests {
    @Test func matchesOnlyTheLinesOwnBytes() throws {
        let pattern = try ReadinessPattern("(?i)server started$")
        var buffer = Array("[1] Server started in debug mode".utf8)
        buffer.withUnsafeBytes { all in
            #expect(pattern.matches(UnsafeRawBufferPointer(rebasing: all[0..<18])))
            #expect(!pattern.matches(UnsafeRawBufferPointer(rebasing: all[0..<17])))
        }
        buffer = Array("x\u{0}[1] Server started".utf8)
        buffer.withUnsafeBytes { #expect(pattern.matches($0)) }
        #expect(!pattern.matches(UnsafeRawBufferPointer(start: nil, count: 0)))
    }
}

/// Found by scripts/fuzz: a mistyped pattern made glibc's regcomp take more than 2 GB. Patterns
/// whose repetitions expand past `maximumExpansion` copies are refused with the reason.
@Suite struct ReadinessPatternSizeTests {
    @Test(arguments: ["a++", "Server.+++started", "x*{3}", "(a{100}){200}", "((ab){30}){30}{30}", "(?i)^\\+:)(~dea^\\[\\\\de.++++++++++++evvdz"])
    func refusesExplodingPatterns(source: String) {
        #expect(throws: ReadinessPattern.SyntaxError.self) { try ReadinessPattern(source) }
    }

    @Test(arguments: ["Server started", "^\\[\\d+:\\d+:\\d+\\] Server started", "(a{50}){50}", "x{255}", "[{}+*]+ ready", "Server (started|ready)+"])
    func acceptsOrdinaryPatterns(source: String) throws {
        _ = try ReadinessPattern(source)
    }

    @Test func saysWhy() {
        do { _ = try ReadinessPattern("Server.++started") } catch {
            #expect(error.description.contains("'+' follows another repetition"), "\(error)")
        }
    }
}

/// Bracket expressions read as POSIX does (a backslash is a member, `]` first is a member,
/// `[:digit:]` is one member): the literal prefilter must see a top-level `|` after them.
@Suite struct ReadinessPatternBracketTests {
    @Test func aTopLevelAlternativeAfterABracketEndingInBackslashIsSeen() throws {
        // Found by scripts/fuzz: `\]` was read as an escape, the bracket never closed, and the
        // prefilter demanded "Server" from lines matching the other alternative.
        let pattern = try ReadinessPattern("Server[\\]|ready now")
        #expect(pattern.matches("[1] ready now"))
        #expect(pattern.matches("Server\\"))
        #expect(pattern.matches("[1] ready now") == pattern.matchesByRegexOnly("[1] ready now"))
    }

    @Test func classesInsideBrackets() throws {
        let pattern = try ReadinessPattern("^\\[[[:digit:]:]+\\] Server started")
        #expect(pattern.matches("[12:42:21] Server started"))
        #expect(!pattern.matches("[ab:cd] Server started"))
        #expect(ReadinessPattern.translatingDigitClasses("[]\\d]\\d") == "[]\\d][0-9]")
        #expect(ReadinessPattern.translatingDigitClasses("[[:alpha:]\\d]x\\D") == "[[:alpha:]\\d]x[^0-9]")
    }
}

/// glibc's anchors `\<` `\>` (word) and `\`` `\'` (line) are not the characters `<` `>` `` ` `` `'`:
/// the literal prefilter must not demand them (found by scripts/fuzz: `\``).
@Suite struct ReadinessPatternAnchorTests {
    @Test(arguments: ["\\<Server started\\>", "\\`\\[\\d+:\\d+:\\d+\\] Server started", "Server started\\'"])
    func anchorsAreNotLiterals(source: String) throws {
        let pattern = try ReadinessPattern(source)
        let line = source.hasPrefix("\\`") ? "[12:42:21] Server started" : "Server started"
        #expect(pattern.matches(line), "\(source)")
        #expect(pattern.matches(line) == pattern.matchesByRegexOnly(line))
    }
}

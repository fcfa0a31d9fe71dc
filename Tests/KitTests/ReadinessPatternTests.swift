@testable import ReconnectKit
import Testing
import TestSupport

@Suite struct LinePatternTests {
    @Test func defaultMatchesOldAndNewServers() {
        let pattern = LinePattern.default
        #expect(pattern.matches("[12:42:21] Server started"))
        #expect(pattern.matches("[13:21:46][Warning] Server started in debug mode"))
        #expect(!pattern.matches("[12:42:20] Server starting"))
        #expect(!pattern.matches("[12:42:20] server started"))
    }

    @Test func regexesWork() throws {
        let pattern = try LinePattern(#"\[\d\d:\d\d:\d\d\] (Server|Gamemode) (started|ready)$"#)
        #expect(pattern.matches("[10:00:00] Gamemode ready"))
        #expect(pattern.matches("[10:00:00] Server started"))
        #expect(!pattern.matches("[10:00:00] Server started later"))
        let caseless = try LinePattern("(?i)server STARTED")
        #expect(caseless.matches("Server started"))
        let alternation = try LinePattern("ready|started")
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
        #expect(LinePattern.requiredLiteral(of: pattern).literal == literal)
        // The prefilter never changes the answer the regex alone gives.
        let compiled = try LinePattern(pattern)
        for line in ["...xzServer started. debug", "Server started", "Server", "[12] Server started", "Server.js started", "nothing"] {
            #expect(compiled.matches(line) == compiled.matchesByRegexOnly(line), "\(pattern) on \(line)")
        }
    }

    @Test(arguments: ["a|b", "(?i)Server", "[abc]+", #"\d+"#])
    func hasNoLiteralWhenNoneIsRequired(pattern: String) {
        #expect(LinePattern.requiredLiteral(of: pattern).literal == nil)
    }

    @Test(arguments: ["(", "", ".*", "a*", "[unclosed"])
    func rejectsUselessOrBrokenPatterns(pattern: String) {
        #expect(throws: LinePattern.SyntaxError.self) { try LinePattern(pattern) }
    }
}

/// Found by scripts/fuzz: the regex must never read past the line it is given (musl and
/// AddressSanitizer run strlen on it); a line in the middle of a buffer, without a NUL after it,
/// and a line holding a NUL both match exactly on their own bytes.
@Suite struct CompiledRegexBoundsTests {
    @Test func matchesOnlyTheLinesOwnBytes() throws {
        let pattern = try LinePattern("(?i)server started$")
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
@Suite struct LinePatternSizeTests {
    @Test(arguments: ["a++", "Server.+++started", "x*{3}", "(a{100}){200}", "((ab){30}){30}{30}", "(?i)^\\+:)(~dea^\\[\\\\de.++++++++++++evvdz"])
    func refusesExplodingPatterns(source: String) {
        #expect(throws: LinePattern.SyntaxError.self) { try LinePattern(source) }
    }

    @Test(arguments: ["Server started", "^\\[\\d+:\\d+:\\d+\\] Server started", "(a{50}){50}", "x{255}", "[{}+*]+ ready", "Server (started|ready)+"])
    func acceptsOrdinaryPatterns(source: String) throws {
        _ = try LinePattern(source)
    }

    @Test func saysWhy() {
        do { _ = try LinePattern("Server.++started") } catch {
            #expect(error.description.contains("'+' follows another repetition"), "\(error)")
        }
    }
}

/// Bracket expressions read as POSIX does (a backslash is a member, `]` first is a member,
/// `[:digit:]` is one member): the literal prefilter must see a top-level `|` after them.
@Suite struct LinePatternBracketTests {
    @Test func aTopLevelAlternativeAfterABracketEndingInBackslashIsSeen() throws {
        // Found by scripts/fuzz: `\]` was read as an escape, the bracket never closed, and the
        // prefilter demanded "Server" from lines matching the other alternative.
        let pattern = try LinePattern("Server[\\]|ready now")
        #expect(pattern.matches("[1] ready now"))
        #expect(pattern.matches("Server\\"))
        #expect(pattern.matches("[1] ready now") == pattern.matchesByRegexOnly("[1] ready now"))
    }

    @Test func classesInsideBrackets() throws {
        let pattern = try LinePattern("^\\[[[:digit:]:]+\\] Server started")
        #expect(pattern.matches("[12:42:21] Server started"))
        #expect(!pattern.matches("[ab:cd] Server started"))
        #expect(LinePattern.translatingDigitClasses("[]\\d]\\d") == "[]\\d][0-9]")
        #expect(LinePattern.translatingDigitClasses("[[:alpha:]\\d]x\\D") == "[[:alpha:]\\d]x[^0-9]")
    }
}

/// glibc's anchors `\<` `\>` (word) and `\`` `\'` (line) are not the characters `<` `>` `` ` `` `'`:
/// the literal prefilter must not demand them (found by scripts/fuzz: `\``).
@Suite struct LinePatternAnchorTests {
    @Test(arguments: ["\\<Server started\\>", "\\`\\[\\d+:\\d+:\\d+\\] Server started", "Server started\\'"])
    func anchorsAreNotLiterals(source: String) throws {
        let pattern = try LinePattern(source)
        let line = source.hasPrefix("\\`") ? "[12:42:21] Server started" : "Server started"
        #expect(pattern.matches(line), "\(source)")
        #expect(pattern.matches(line) == pattern.matchesByRegexOnly(line))
    }
}

/// A top-level alternation is split into branches, each with its own literal.
@Suite struct LinePatternAlternationTests {
    @Test func branchesAreSearchedByTheirLiterals() throws {
        let pattern = try LinePattern("MiniDump created|Segmentation fault")
        #expect(pattern.literals == [Array("MiniDump created".utf8), Array("Segmentation fault".utf8)])
        #expect(pattern.matches("x MiniDump created."))
        #expect(pattern.matches("Segmentation fault (core dumped)"))
        #expect(!pattern.matches("Server started"))
        #expect(LinePattern.topLevelBranches(of: "a(b|c)d") == ["a(b|c)d"], "a group's | is not top level")
        #expect(LinePattern.topLevelBranches(of: #"a\|b|[|]|(c|d)"#) == [#"a\|b"#, "[|]", "(c|d)"])
        #expect(try LinePattern("x|[0-9]+").literals == nil, "a branch without a literal: every line is checked")
        #expect(try LinePattern("(?i)abc|def").matches("ABC"))
        #expect(throws: LinePattern.SyntaxError.self) { try LinePattern("abc|") }
    }

    @Test func aMatchSaysWhereItAndItsLastGroupAre() throws {
        let pattern = try LinePattern(ServerLinePatterns.defaultResourceError)
        let line = "[1][Error] Failed to start resource chat unknown"
        let found = Array(line.utf8).withUnsafeBytes { pattern.match($0) }
        #expect(found?.whole == 11..<40)
        #expect(found?.lastGroup == 36..<40)
    }
}

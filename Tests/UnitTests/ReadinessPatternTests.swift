@testable import LogWatch
import Testing

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

@testable import ReconnectKit
import FuzzSupport

/// `--ready-pattern` text: any text either compiles or is refused with a reason (never a crash);
/// a compiled pattern answers any line the same with and without its literal prefilter, and a
/// line it matches holds the required literal. The input is "pattern NUL line". Backreferences
/// (`\1`…`\9`) are left out: glibc matches them by backtracking, slowly by design, and a user's
/// own pattern is trusted configuration, not outside input.
func fuzz(_ input: FuzzInput) {
    let (patternBytes, lineBytes) = input.twoParts
    let source = String(decoding: patternBytes.prefix(64), as: UTF8.self)
    guard !hasBackreference(source) else { return }
    guard let pattern = try? LinePattern(source) else { return }
    let line = String(decoding: lineBytes.prefix(256), as: UTF8.self)
    let matched = pattern.matches(line)
    expect(matched == pattern.matchesByRegexOnly(line), "prefilter changed the answer for '\(source)' on '\(line)'")
    if matched, let literal = pattern.requiredLiteral {
        expect(Array(line.utf8).withUnsafeBytes { LinePattern.contains($0, literal) }, "matched without its literal")
    }
}

func hasBackreference(_ text: String) -> Bool {
    let characters = Array(text)
    return characters.indices.dropLast().contains { characters[$0] == "\\" && ("1"..."9").contains(characters[$0 + 1]) }
}

runFuzzer(fuzz)

@testable import ReconnectKit
import Testing
import TestSupport

/// The chunked scanner must find exactly what a naive line-by-line check finds, wherever the
/// chunk boundaries fall.
@Suite struct ReadinessScannerTests {
    static let log = """
        [10:00:00] Starting
        [10:00:01] \u{1B}[32m~g~Server ~w~started\u{1B}[0m
        [10:00:02] Server starting soon
        [10:00:03][Warning] Server started in debug mode\r
        noise ~ with ~ tildes and \u{1B}[1m bold
        Server started
        Server sta
        """ + "rted but split\npartial Server started without newline"

    /// Reference: split on \\n, strip, match.
    static func reference(_ text: String, _ pattern: ReadinessPattern) -> [String] {
        // Split bytes, not Characters: "\r\n" is a single Character in Swift.
        let lines = text.utf8.split(separator: 10, omittingEmptySubsequences: false).dropLast()  // the last has no \n
        return lines.map { line in
            let bytes = line.last == 13 ? line.dropLast() : line[...]
            return TerminalText.stripped(String(decoding: bytes, as: UTF8.self))
        }.filter { pattern.matches($0) }
    }

    static func scan(_ text: String, _ pattern: ReadinessPattern, chunk: Int, limit: Int = 64 * 1024) -> [String] {
        var scanner = ReadinessScanner(pattern: pattern, maximumLineLength: limit)
        var found: [String] = []
        let bytes = Array(text.utf8)
        var start = 0
        while start < bytes.count {
            let end = min(bytes.count, start + chunk)
            bytes[start..<end].withUnsafeBytes { scanner.scan($0) { found.append(String(decoding: $0, as: UTF8.self)) } }
            start = end
        }
        return found
    }

    @Test(arguments: ["Server started", #"\[\d\d:\d\d:0[13]\].*Server started"#, "(?i)SERVER STARTED", "started( in debug mode)?$", "Server (started|starting)"])
    func matchesTheReferenceForEveryChunkSize(source: String) throws {
        let pattern = try ReadinessPattern(source)
        let expected = Self.reference(Self.log, pattern)
        #expect(!expected.isEmpty)
        for chunk in 1...Self.log.utf8.count {
            #expect(Self.scan(Self.log, pattern, chunk: chunk) == expected, "chunk size \(chunk)")
        }
    }

    @Test func defaultPatternFindsTheThreeStartLines() {
        #expect(Self.scan(Self.log, .default, chunk: 4096) == [
            "[10:00:01] Server started", "[10:00:03][Warning] Server started in debug mode", "Server started", "Server started but split",
        ])
    }

    @Test func boundsAnOverlongLineAcrossChunks() {
        let text = "Server started " + String(repeating: "x", count: 10_000) + "\nServer started again\n"
        var scanner = ReadinessScanner(pattern: .default, maximumLineLength: 100)
        var found: [Int] = []
        let bytes = Array(text.utf8)
        for start in stride(from: 0, to: bytes.count, by: 7) {
            bytes[start..<min(bytes.count, start + 7)].withUnsafeBytes { scanner.scan($0) { found.append($0.count) } }
        }
        #expect(found == [100, "Server started again".utf8.count])
        #expect(scanner.truncatedLines == 1)
    }
}

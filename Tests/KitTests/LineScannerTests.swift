@testable import ReconnectKit
import ReconnectPolicy
import CShims
import Testing
import TestSupport

/// The chunked scanner must find exactly what a naive line-by-line check finds, wherever the
/// chunk boundaries fall.
@Suite struct LineScannerTests {
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
    static func reference(_ text: String, _ pattern: LinePattern) -> [String] {
        // Split bytes, not Characters: "\r\n" is a single Character in Swift.
        let lines = text.utf8.split(separator: 10, omittingEmptySubsequences: false).dropLast()  // the last has no \n
        return lines.map { line in
            let bytes = line.last == 13 ? line.dropLast() : line[...]
            return TerminalText.stripped(String(decoding: bytes, as: UTF8.self))
        }.filter { pattern.matches($0) }
    }

    static func scan(_ text: String, _ pattern: LinePattern, chunk: Int, limit: Int = 64 * 1024) -> [String] {
        var scanner = LineScanner(pattern: pattern, maximumLineLength: limit)
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
        let pattern = try LinePattern(source)
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
        var scanner = LineScanner(pattern: .default, maximumLineLength: 100)
        var found: [Int] = []
        let bytes = Array(text.utf8)
        for start in stride(from: 0, to: bytes.count, by: 7) {
            bytes[start..<min(bytes.count, start + 7)].withUnsafeBytes { scanner.scan($0) { found.append($0.count) } }
        }
        #expect(found == [100, "Server started again".utf8.count])
        #expect(scanner.truncatedLines == 1)
    }

    /// Real alt:V output (lines quoted from public issue reports: Stuyk/altv-athena#41, a server
    /// whose resources failed and which still printed "Server started"; altmp/altv-issues#1872,
    /// a failed dependency), in colour, with a crash and a shutdown added.
    static let altvLog = """
        [12:42:21] alt:V Server 2.23 (release)
        [12:42:21] Starting alt:V Athena Roleplay Framework on 0.0.0.0:7788
        [12:42:21] Loading resource altv-ares
        [12:42:21][Error] Could not open resource.cfg
        [12:42:21][\u{1B}[31mError\u{1B}[0m] Failed to load resource altv-ares
        [12:42:21] Loading resource core
        [12:42:21][Error] Could not open resource.cfg
        [12:42:21][Error] Failed to load resource core
        [15:06:08][Error] Failed to load resource one_utils : Failed to start dependency
        [12:42:21] Starting HTTP server on 0.0.0.0:7788
        [12:42:21] Server started
        [12:50:00] ~r~Segmentation fault
        [12:51:00] Server shutdown

        """

    /// Several patterns: each line once, for the first pattern it matches, in order, whatever
    /// the chunk size; the same as checking every line against each pattern in turn.
    @Test func severalPatternsFindEachLineOnceInOrder() throws {
        let patterns = ServerLinePatterns()
        let lines = Self.altvLog.utf8.split(separator: 10).map { TerminalText.stripped(String(decoding: $0, as: UTF8.self)) }
        let expected = lines.compactMap { line in patterns.ordered.firstIndex { $0.matches(line) }.map { ($0, line) } }
        #expect(expected.map(\.0) == [3, 3, 3, 0, 1, 2])
        let bytes = Array(Self.altvLog.utf8)
        for chunk in [1, 2, 7, 64, 100, 4096] {
            var scanner = LineScanner(patterns: patterns.ordered)
            var found: [(Int, String)] = []
            for start in stride(from: 0, to: bytes.count, by: chunk) {
                bytes[start..<min(bytes.count, start + chunk)].withUnsafeBytes { buffer in
                    scanner.scan(buffer) { index, line in found.append((index, String(decoding: line, as: UTF8.self))) }
                }
            }
            #expect(found.map(\.0) == expected.map(\.0), "chunk \(chunk)")
            #expect(found.map(\.1) == expected.map(\.1), "chunk \(chunk)")
            #expect(String(decoding: scanner.lastLine, as: UTF8.self) == "[12:51:00] Server shutdown")
        }
    }

    /// What each recognised line means: resource names from the pattern's last group.
    @Test func theLinesAreClassifiedWithTheResourceName() {
        let patterns = ServerLinePatterns()
        func classify(_ line: String) -> ServerLine? {
            Array(line.utf8).withUnsafeBytes { buffer in
                patterns.ordered.firstIndex { $0.matches(buffer) }.map { patterns.classify($0, buffer) }
            }
        }
        #expect(classify("[12:42:21][Error] Failed to load resource core") == .resourceError(ResourceError(name: "core", text: "Failed to load resource core")))
        #expect(classify("[15:06:08][Error] Failed to load resource one_utils : Failed to start dependency")
                == .resourceError(ResourceError(name: "one_utils", text: "Failed to load resource one_utils : Failed to start dependency")))
        #expect(classify("[12:00:00][Error] Failed to start resource chat unknown type js")
                == .resourceError(ResourceError(name: "chat", text: "Failed to start resource chat unknown type js")))
        #expect(classify("MiniDump created.") == .crash("MiniDump created."))
        #expect(classify("Segmentation fault (core dumped)") == .crash("Segmentation fault (core dumped)"))
        #expect(classify("[12:51:00] Server shutdown") == .shutdown)
        #expect(classify("[13:21:46][Warning] Server started in debug mode") == .ready)
        #expect(classify("[12:42:21] Loading resource core") == nil)
        // A pattern without groups: the word after the match names the resource.
        var custom = patterns
        custom.resourceError = try! LinePattern("could not start:")
        let line = "[1] could not start: gamemode (missing main)"
        let found = Array(line.utf8).withUnsafeBytes { custom.classify(3, $0) }
        #expect(found == .resourceError(ResourceError(name: "gamemode", text: "could not start: gamemode (missing main)")))
    }

    /// A chunk's output is told before its lines: one that ends with the shutdown line leaves
    /// the server stopped (told after, it began a new start and made the exit a "crash").
    @Test func theDetectorTellsTheOutputBeforeTheLines() {
        var events: [String] = []
        let detector = ServerLineDetector(patterns: ServerLinePatterns(), onLine: { line, _ in events.append("\(line)") },
                                          onOutput: { events.append("output: " + String(decoding: $0, as: UTF8.self)) })
        Array("[1] Server started\n[2] Server shutdown\n".utf8).withUnsafeBytes { detector.consume($0) }
        #expect(events == ["output: [2] Server shutdown", "ready", "shutdown"])
        var run = ServerRun()
        _ = run.handle(.caughtUp, at: MonotonicInstant(nanoseconds: 0))
        for event in events {
            let serverEvent: ServerRun.Event = event == "ready" ? .line(.ready) : event == "shutdown" ? .line(.shutdown) : .output(lastLine: event)
            _ = run.handle(serverEvent, at: MonotonicInstant(nanoseconds: 0))
        }
        #expect(run.phase == .stopped)
    }
}

/// `altv_find_any` (SSE2, one pass for several literals) against the simplest reference: the
/// earliest of each needle's own search, on random text over a small alphabet (so that needles
/// occur, overlap and nearly occur), at every length around the vector loop's 16-byte blocks.
@Suite struct FindAnyTests {
    @Test func findsTheEarliestOccurrenceOfAnyNeedle() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("abS ed\n".utf8)
        for round in 0..<3000 {
            let length = round % 97
            let text = (0..<length).map { _ in alphabet.randomElement(using: &generator)! }
            let count = 1 + round % 6
            let needles = (0..<count).map { _ in (0..<(1 + Int.random(in: 0..<5, using: &generator))).map { _ in alphabet.randomElement(using: &generator)! } }
            let expected = needles.compactMap { needle -> Int? in
                guard needle.count <= text.count else { return nil }
                return (0...(text.count - needle.count)).first { Array(text[$0..<($0 + needle.count)]) == needle }
            }.min()
            let flat = Array(needles.joined())
            let found: Int? = text.withUnsafeBytes { haystack in
                flat.withUnsafeBufferPointer { bytes in
                    var offset = 0
                    let list = needles.map { needle -> altv_needle in
                        defer { offset += needle.count }
                        return altv_needle(bytes: bytes.baseAddress! + offset, length: needle.count)
                    }
                    return list.withUnsafeBufferPointer { list in
                        altv_find_any(haystack.baseAddress, haystack.count, list.baseAddress, list.count).map { haystack.baseAddress!.distance(to: $0) }
                    }
                }
            }
            #expect(found == expected, "text \(String(decoding: text, as: UTF8.self).debugDescription), needles \(needles.map { String(decoding: $0, as: UTF8.self) })")
            if found != expected { return }
        }
    }
}

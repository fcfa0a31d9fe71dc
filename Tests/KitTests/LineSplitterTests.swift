import ReconnectKit
import Testing
import TestSupport

/// Feeds `chunks` through a splitter and returns the lines it hands out.
func splitLines(_ chunks: [String], limit: Int = 1024, splitter: inout LineSplitter) -> [String] {
    var lines: [String] = []
    for chunk in chunks {
        Array(chunk.utf8).withUnsafeBytes { raw in
            splitter.split(raw) { lines.append(String(decoding: $0, as: UTF8.self)) }
        }
    }
    return lines
}

@Suite struct LineSplitterTests {
    @Test func handsOutOnlyCompleteLines() {
        var splitter = LineSplitter()
        #expect(splitLines(["a\nb\nhalf"], splitter: &splitter) == ["a", "b"])
        #expect(splitter.pendingByteCount == 4)
        #expect(splitLines([" a line\n"], splitter: &splitter) == ["half a line"])
        #expect(splitter.pendingByteCount == 0)
    }

    @Test func joinsALineSplitAcrossManyReads() {
        var splitter = LineSplitter()
        let chunks = ["[12:00:00] Ser", "ver st", "art", "ed\r", "\nnext\n"]
        #expect(splitLines(chunks, splitter: &splitter) == ["[12:00:00] Server started", "next"])
    }

    @Test func everySplitPointGivesTheSameLines() {
        let text = "one\r\ntwo\n\nthree\nfour"
        for cut in 0...text.utf8.count {
            var splitter = LineSplitter()
            let bytes = Array(text.utf8)
            let chunks = [String(decoding: bytes[0..<cut], as: UTF8.self), String(decoding: bytes[cut...], as: UTF8.self)]
            #expect(splitLines(chunks, splitter: &splitter) == ["one", "two", "", "three"], "cut at \(cut)")
        }
    }

    @Test func capsOverlongLinesAndStaysBounded() {
        var splitter = LineSplitter(maximumLineLength: 16)
        let long = "Server started " + String(repeating: "x", count: 1000)
        var lines = splitLines([String(long.prefix(10)), String(long.dropFirst(10)), "\nshort\n"], splitter: &splitter)
        #expect(lines == ["Server started x", "short"])
        #expect(splitter.truncatedLines == 1)
        #expect(splitter.pendingByteCount == 0)
        // A long line inside a single chunk is cut the same way.
        lines = splitLines([String(repeating: "y", count: 100) + "\nz\n"], splitter: &splitter)
        #expect(lines == [String(repeating: "y", count: 16), "z"])
        #expect(splitter.truncatedLines == 2)
    }

    @Test func resetDropsThePartialLine() {
        var splitter = LineSplitter()
        _ = splitLines(["partial"], splitter: &splitter)
        splitter.reset()
        #expect(splitLines(["new\n"], splitter: &splitter) == ["new"])
    }
}

@Suite struct TerminalTextTests {
    @Test(arguments: [
        ("\u{1B}[32mServer started\u{1B}[0m", "Server started"),
        ("~g~Server ~w~started", "Server started"),
        ("~lg~[~n~12:00~r~]~bold~ x", "[12:00] x"),
        ("\u{1B}]0;title\u{07}Server\u{1B}[1;31m started", "Server started"),
        ("\u{1B}]8;;http://x\u{1B}\\link\u{1B}]8;;\u{1B}\\", "link"),
        ("plain ~ tilde ~ text", "plain ~ tilde ~ text"),
        ("~~ and ~1~ and ~toolong~", "~~ and ~1~ and ~toolong~"),
        ("trailing escape \u{1B}", "trailing escape "),
    ])
    func strips(input: String, expected: String) {
        #expect(TerminalText.stripped(input) == expected)
    }
}

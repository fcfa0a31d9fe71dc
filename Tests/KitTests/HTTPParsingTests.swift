@testable import ReconnectKit
import Testing
import TestSupport

@Suite struct HTTPParsingTests {
    func parse(_ text: String, eof: Bool = false) -> ResponseParser.Outcome {
        ResponseParser().parse(Array(text.utf8), atEOF: eof)
    }

    @Test func contentLength() {
        guard case .complete(let response) = parse("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nMAIN_MENU") else { Issue.record(); return }
        #expect(response.statusCode == 200)
        #expect(response.body == Array("MAIN_MENU".utf8))
        guard case .needMore = parse("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nMAIN") else { Issue.record(); return }
        guard case .failed(.connectionClosed) = parse("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nMAIN", eof: true) else { Issue.record(); return }
    }

    @Test func chunkedAndCloseDelimited() {
        guard case .complete(let chunked) = parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nIN_G\r\n3\r\nAME\r\n0\r\n\r\n") else { Issue.record(); return }
        #expect(chunked.body == Array("IN_GAME".utf8))
        guard case .needMore = parse("HTTP/1.0 200 OK\nContent-Type: text/plain\n\nLOADING") else { Issue.record(); return }
        guard case .complete(let closed) = parse("HTTP/1.0 200 OK\nContent-Type: text/plain\n\nLOADING", eof: true) else { Issue.record(); return }
        #expect(closed.body == Array("LOADING".utf8))
    }

    @Test func garbageIsMalformed() {
        guard case .failed(.malformedResponse) = parse("MAIN_MENU\r\n\r\n") else { Issue.record(); return }
        guard case .failed(.malformedResponse) = parse("\u{0}\u{1}binary junk") else { Issue.record(); return }
        guard case .failed(.malformedResponse) = parse("HTTP/1.1 2OO OK\r\n\r\n") else { Issue.record(); return }
        guard case .failed(.malformedResponse) = parse("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n") else { Issue.record(); return }
        guard case .failed(.malformedResponse) = parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n") else { Issue.record(); return }
        guard case .failed(.connectionClosed) = parse("", eof: true) else { Issue.record(); return }
        // Found by scripts/fuzz (Fuzz/Corpus/fuzz-http-response/crash-status-code-095): three
        // characters that Int() reads are not a status code.
        for code in ["095", "-12", "+20", "1_0"] {
            guard case .failed(.malformedResponse) = parse("HTTP/1.1 \(code) OK\r\nContent-Length: 0\r\n\r\n") else { Issue.record("\(code)"); return }
        }
    }

    @Test func headFieldsAreCaseInsensitive() {
        let head = HTTPHead(Array("POST /reconnect HTTP/1.1\r\nCONTENT-LENGTH: 7\r\nHost: x".utf8)[...])
        #expect(head.startLine == "POST /reconnect HTTP/1.1")
        #expect(head["content-length"] == "7")
        #expect(head["Host"] == "x")
    }
}

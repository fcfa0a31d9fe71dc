import ReconnectKit
import Dispatch
import Foundation
import ReconnectPolicy
import Testing
import TestSupport

/// The client against a real misbehaving server: every fault is an error to retry, none hangs
/// past the request timeout, none is buffered without bound.
@Suite struct DebugClientFaultTests {
    func client(_ server: FaultServer, timeout: Duration = .milliseconds(500)) -> DebugClient {
        DebugClient(endpoint: ClientEndpoint(host: "127.0.0.1", port: UInt16(server.port)), requestTimeout: timeout)
    }

    @Test func refused() {
        let client = DebugClient(endpoint: ClientEndpoint(host: "127.0.0.1", port: UInt16(closedPort())), requestTimeout: .seconds(2))
        #expect(client.status() == .failure(.connectionRefused))
        #expect(!ClientError.connectionRefused.mayHaveReachedClient)
    }

    @Test func localhostFallsBackToIPv4() throws {
        let server = FaultServer([.answer(status: 200, body: "MAIN_MENU\r\n")])
        defer { server.stop() }  // also keeps the server alive until the end
        let client = DebugClient(endpoint: try ClientEndpoint(parsing: "http://localhost:\(server.port)"), requestTimeout: .seconds(2))
        #expect(client.status() == .success(.mainMenu))
    }

    @Test func slowButInTime() {
        let server = FaultServer([.answerAfter(milliseconds: 200, body: "IN_GAME")])
        defer { server.stop() }  // also keeps the server alive until the end
        #expect(client(server, timeout: .seconds(3)).status() == .success(.inGame))
    }

    @Test func hangingIsCutAtTheTimeout() {
        let server = FaultServer([.hang])
        defer { server.stop() }  // also keeps the server alive until the end
        let started = Date()
        #expect(client(server, timeout: .milliseconds(300)).status() == .failure(.responseTimedOut))
        #expect(Date().timeIntervalSince(started) < 10)  // bounded; the benchmark measures precisely
    }

    @Test func garbage() {
        let server = FaultServer([.garbage])
        defer { server.stop() }  // also keeps the server alive until the end
        guard case .failure(.malformedResponse) = client(server).status() else { Issue.record(); return }
    }

    @Test func hugeBodyIsRefusedNotBuffered() {
        let server = FaultServer([.hugeBody(bytes: 10 * 1024 * 1024)])
        defer { server.stop() }  // also keeps the server alive until the end
        #expect(client(server, timeout: .seconds(5)).status() == .failure(.responseTooLarge(limit: 16 * 1024)))
    }

    @Test func errorStatusCodes() {
        let server = FaultServer([.answer(status: 404, body: "no"), .answer(status: 500, body: "MAIN_MENU")])
        defer { server.stop() }  // also keeps the server alive until the end
        #expect(client(server).status() == .failure(.anotherProgram(what: "HTTP 404 for GET /status")), "no alt:V client answers 404 to /status")
        #expect(client(server).status() == .failure(.httpStatus(500)))
    }

    /// Another program on the client's port, told apart from the client (real loopback HTTP):
    /// a web page or JSON is not a status; an unknown word may be one (kept, reported once).
    @Test func anotherProgramOnThePort() {
        let server = FaultServer([
            .answer(status: 200, body: "<!DOCTYPE html>\n<html><body>It works!</body></html>"),
            .answer(status: 200, body: "{\"status\": \"ok\"}"),
            .answer(status: 200, body: "Welcome to the development server, please log in"),
            .answer(status: 405, body: ""),
            .answer(status: 200, body: "WARMING_UP\n"),
        ])
        defer { server.stop() }
        #expect(client(server).status() == .failure(.anotherProgram(what: "an HTML page")))
        #expect(client(server).status() == .failure(.anotherProgram(what: "JSON")))
        #expect(client(server).status() == .failure(.anotherProgram(what: "the answer 'Welcome to the development server, pleas…'")))
        #expect(client(server).status() == .failure(.anotherProgram(what: "HTTP 405 for GET /status")))
        #expect(client(server).status() == .success(.unknown("WARMING_UP")))
        #expect(ClientError.anotherProgram(what: "x").mayHaveReachedClient)
    }

    @Test func resetAndEarlyClose() {
        let server = FaultServer([.reset, .closeImmediately])
        defer { server.stop() }  // also keeps the server alive until the end
        #expect(client(server).status() == .failure(.connectionClosed))
        #expect(client(server).status() == .failure(.connectionClosed))
    }

    @Test func postCarriesThePasswordAsBody() {
        let server = FaultServer([.answer(status: 200, body: "")])
        defer { server.stop() }  // also keeps the server alive until the end
        let result = client(server).reconnect(password: Secret(Array("s3cret pass".utf8)))
        #expect((try? result.get())?.statusCode == 200)
        #expect(server.requests.current.map(\.line) == ["POST /reconnect HTTP/1.1"])
        #expect(server.requests.current.map(\.body) == ["s3cret pass"])
        #expect("\(Secret(Array("s3cret pass".utf8)))" == "<redacted>")
    }

    /// The whole loop through every fault, then a healthy client: exactly one POST.
    @Test func loopSurvivesEveryFaultAndPostsOnce() {
        let server = FaultServer([
            .closeImmediately, .garbage, .hang, .reset, .hugeBody(bytes: 1_000_000), .answer(status: 500, body: "x"),
            .answer(status: 200, body: "LOADING"), .answer(status: 200, body: "\"main_menu\"\r\n"),
            .answer(status: 200, body: ""),  // the POST
            .answer(status: 200, body: "IN_GAME"),
        ])
        defer { server.stop() }
        defer { server.stop() }  // also keeps the server alive until the end
        let reports = Locked<[Report]>([])
        let queue = DispatchQueue(label: "test.driver")
        let settings = ReconnectSettings(pollInterval: .milliseconds(20), verifyTimeout: .seconds(10))
        let driver = ReconnectDriver(queue: queue, client: client(server, timeout: .milliseconds(300)), password: nil, settings: settings) { report in
            reports.with { $0.append(report) }
        }
        queue.async { driver.serverReady(.serverReady) }
        #expect(waitUntil { reports.current.contains { if case .inGame = $0 { true } else { false } } })
        #expect(server.requests.current.filter { $0.line.hasPrefix("POST") }.count == 1, "\(reports.current)")
        queue.sync { driver.stop() }
    }
}

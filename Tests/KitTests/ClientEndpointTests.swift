import ReconnectKit
import Testing

@Suite struct ClientEndpointTests {
    @Test(arguments: [
        ("http://127.0.0.1:9223", "127.0.0.1", 9223), ("http://127.0.0.1:9223/", "127.0.0.1", 9223),
        ("HTTP://localhost:1", "localhost", 1), ("http://[::1]:9223", "::1", 9223), ("http://172.20.0.1:9223", "172.20.0.1", 9223),
    ])
    func parses(text: String, host: String, port: Int) throws {
        let endpoint = try ClientEndpoint(parsing: text)
        #expect(endpoint.host == host)
        #expect(Int(endpoint.port) == port)
    }

    @Test(arguments: ["127.0.0.1:9223", "https://127.0.0.1:9223", "http://127.0.0.1", "http://127.0.0.1:0", "http://127.0.0.1:99999",
                      "http://127.0.0.1:9223/status", "http://:9223", "http://a b:1", "http://[::1:9223", "http://u@h:1"])
    func rejectsWithReason(text: String) {
        #expect(throws: ClientEndpointError.self) { try ClientEndpoint(parsing: text) }
        do { _ = try ClientEndpoint(parsing: text) } catch {
            #expect(error.description.contains(text))
            #expect(!error.description.contains("\n"))
        }
    }
}

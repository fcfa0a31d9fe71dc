import ReconnectPolicy
import Testing

@Suite struct DurationTextTests {
    @Test(arguments: [
        ("250ms", Duration.milliseconds(250)), ("2.5s", .milliseconds(2500)), ("1m", .seconds(60)), ("90", .seconds(90)),
        ("0.1s", .milliseconds(100)), ("1.5", .milliseconds(1500)), ("1h", .seconds(3600)), (" 2s ", .seconds(2)),
        ("0", .zero), ("500us", .microseconds(500)), (".5s", .milliseconds(500)), ("2S", .seconds(2)),
    ])
    func parses(text: String, expected: Duration) throws {
        #expect(try DurationText.parse(text) == expected)
    }

    @Test(arguments: ["", "s", "abc", "-1s", "1.2.3s", "5x", "1e3", "1 m s", "99999999999999999999", "400d", "9999h",
                         "18446744073.9s"])  // the last found by scripts/fuzz: an overflow trap before
    func rejects(text: String) {
        #expect(throws: DurationText.SyntaxError.self) { try DurationText.parse(text) }
    }

    @Test func errorNamesTheInputAndTheFix() {
        do { _ = try DurationText.parse("5x") } catch {
            #expect(error.description.contains("'5x'"))
            #expect(error.description.contains("250ms"))
        }
    }

    @Test func formatsForHumans() {
        #expect(DurationText.format(.milliseconds(850)) == "850 ms")
        #expect(DurationText.format(.milliseconds(4210)) == "4.2 s")
        #expect(DurationText.format(.seconds(185)) == "3 min 5 s")
        #expect(DurationText.format(.seconds(120)) == "2 min")
    }
}

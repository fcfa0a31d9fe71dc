import ReconnectKit
import FuzzSupport
import ReconnectPolicy

/// Durations (`250ms`, `2.5s`, `1m`, a bare number of seconds) and client URLs, as typed on the
/// command line or in the configuration file. Input: "duration NUL url". A duration parses to a
/// value from 0 to the documented maximum or is refused; a URL that parses prints as a URL that
/// parses to the same endpoint.
func fuzz(_ input: FuzzInput) {
    let (durationBytes, urlBytes) = input.twoParts
    let durationText = String(decoding: durationBytes, as: UTF8.self)
    if let duration = try? DurationText.parse(durationText) {
        expect(duration >= .zero, "'\(durationText)' gave a negative duration")
        _ = DurationText.format(duration)
    }
    let urlText = String(decoding: urlBytes, as: UTF8.self)
    if let endpoint = try? ClientEndpoint(parsing: urlText) {
        let again = try? ClientEndpoint(parsing: endpoint.description)
        expect(again == endpoint, "'\(urlText)' prints as '\(endpoint)', which does not parse back")
    }
}

runFuzzer(fuzz)

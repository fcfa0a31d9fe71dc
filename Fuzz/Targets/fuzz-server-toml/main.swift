import ReconnectKit
import FuzzSupport

/// The server's server.toml (full TOML: arrays, inline tables, tables): any text is read or is a
/// warning naming its line, never a crash (the daemon reads the file whenever it changes, and
/// toml++ asserts on some malformed input instead of reporting it).
func fuzz(_ input: FuzzInput) {
    let text = String(decoding: input.rest, as: UTF8.self)
    switch ServerToml.parse(text) {
    case .invalid(let line, let reason):
        expect(line >= 1, "line \(line)")
        expect(!reason.contains("\n"), "a multi-line reason: \(reason)")
    case .read, .missing, .unreadable:
        break
    }
}

runFuzzer(fuzz)

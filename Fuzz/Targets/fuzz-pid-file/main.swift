import FuzzSupport
import ReconnectKit

/// PID file content, as a start script may write it: a PID is positive and is the file's only
/// word; anything else is "empty" (whitespace only) or "invalid" with its words shown.
func fuzz(_ input: FuzzInput) {
    let bytes = Array(input.rest.prefix(PidFileText.readLimit))
    let words = String(decoding: bytes, as: UTF8.self).split(whereSeparator: \.isWhitespace)
    switch PidFileText.parse(bytes) {
    case .pid(let pid):
        expect(pid > 0 && words.count == 1 && Int32(words[0]) == pid, "PID \(pid) from \(words)")
    case .empty:
        expect(words.isEmpty, "'empty' with words \(words)")
    case .invalid(let text):
        expect(!text.isEmpty && text == words.joined(separator: " "), "invalid '\(text)' from \(words)")
    }
}

runFuzzer(fuzz)

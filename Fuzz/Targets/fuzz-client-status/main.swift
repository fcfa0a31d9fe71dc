import ReconnectPolicy
import FuzzSupport

/// `GET /status` bodies: any bytes parse (an unknown value is kept, shown at most 64 characters);
/// each documented status, in any case, wrapped in whitespace, CR/LF and quotes, is recognised.
func fuzz(_ input: FuzzInput) {
    var input = input
    let pick = input.byte()
    let status = ClientStatus(parsing: input.rest)
    if case .unknown(let shown) = status { expect(shown.count <= 65, "unknown value shown with \(shown.count) characters") }

    let documented = ClientStatus.documented[Int(pick) % ClientStatus.documented.count]
    var choices = Sequence8(pick)
    let noise: [String] = [" ", "\r", "\n", "\t", "\"", "'"]
    var text = ""
    for _ in 0..<choices.next(below: 4) { text += noise[choices.next(below: noise.count)] }
    for character in documented.description {
        text += choices.next(below: 2) == 0 ? character.lowercased() : String(character)
    }
    for _ in 0..<choices.next(below: 4) { text += noise[choices.next(below: noise.count)] }
    expect(ClientStatus(parsing: Array(text.utf8)) == documented, "'\(text)' is not \(documented)")
}

runFuzzer(fuzz)

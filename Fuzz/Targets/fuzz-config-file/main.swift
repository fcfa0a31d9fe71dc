import ReconnectKit
import FuzzSupport

/// The TOML configuration file: any text loads or is refused with one line (the daemon prints
/// it as is, and systemd shows it as the unit's status), never a crash.
func fuzz(_ input: FuzzInput) {
    let text = String(decoding: input.rest, as: UTF8.self)
    do {
        _ = try ConfigurationFile.parse(text, path: "/fuzz/config.toml")
    } catch {
        expect(!error.message.contains("\n"), "a multi-line error: \(error.message)")
        expect(error.message.contains("/fuzz/config.toml"), "the error does not name the file: \(error.message)")
    }
}

runFuzzer(fuzz)

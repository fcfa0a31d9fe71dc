/// What the alt:V client's debug API answers on `GET /status`.
///
/// The API is undocumented beyond the seven names, so parsing is liberal:
/// surrounding whitespace, CR/LF and quotes are ignored, case does not matter, and spaces or
/// dashes count as underscores. Anything else is kept verbatim as `.unknown` so it can be
/// logged once and treated as "not ready".
public enum ClientStatus: Hashable, Sendable, CustomStringConvertible {
    case loading
    case mainMenu
    case downloadingFiles
    case connecting
    case inGame
    case disconnecting
    case error
    case unknown(String)

    /// The longest body we treat as a status at all; a longer body is shown truncated.
    static let maximumShownLength = 64

    public init(parsing body: some Sequence<UInt8>) {
        self.init(parsing: String(decoding: Array(body), as: UTF8.self))
    }

    public init(parsing body: String) {
        let trimmed = body.trimmingStatusNoise()
        let key = String(trimmed.uppercased().map { $0 == " " || $0 == "-" ? "_" : $0 })
        switch key {
        case "LOADING": self = .loading
        case "MAIN_MENU": self = .mainMenu
        case "DOWNLOADING_FILES": self = .downloadingFiles
        case "CONNECTING": self = .connecting
        case "IN_GAME": self = .inGame
        case "DISCONNECTING": self = .disconnecting
        case "ERROR": self = .error
        default:
            let shown = trimmed.count > Self.maximumShownLength
                ? String(trimmed.prefix(Self.maximumShownLength)) + "…" : trimmed
            self = .unknown(shown)
        }
    }

    /// Whether a body that is no known status could still be one (a word the client might add
    /// later, `WARMING_UP`) rather than another program's answer (`<!DOCTYPE html>…`, JSON, a
    /// sentence): a short word of letters, digits, `_`, `-` or spaces.
    public static func isPlausibleStatus(_ body: some Sequence<UInt8>) -> Bool {
        let text = String(decoding: Array(body), as: UTF8.self).trimmingStatusNoise()
        return !text.isEmpty && text.count <= 32
            && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == " ") }
    }

    /// The docs' rule: a reconnect is useful only from the main menu or in game.
    public var acceptsReconnect: Bool { self == .mainMenu || self == .inGame }

    /// The wire name, as the client sends it; unknown values as `unknown(text)`.
    public var description: String {
        switch self {
        case .loading: "LOADING"
        case .mainMenu: "MAIN_MENU"
        case .downloadingFiles: "DOWNLOADING_FILES"
        case .connecting: "CONNECTING"
        case .inGame: "IN_GAME"
        case .disconnecting: "DISCONNECTING"
        case .error: "ERROR"
        case .unknown(let text): "unknown(\(text))"
        }
    }

    /// Every documented status, in the order a client usually passes through them.
    public static let documented: [ClientStatus] = [
        .loading, .mainMenu, .connecting, .downloadingFiles, .inGame, .disconnecting, .error,
    ]
}

extension StringProtocol {
    /// Drops whitespace (including CR/LF), NULs and quote characters from both ends.
    public func trimmingStatusNoise() -> String {
        trimmingCharacters { $0.isWhitespace || $0 == "\"" || $0 == "'" || $0 == "\0" }
    }
}

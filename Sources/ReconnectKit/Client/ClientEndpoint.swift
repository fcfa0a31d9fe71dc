import ReconnectPolicy
/// Where the client's debug API listens: `http://HOST:PORT`.
///
/// Only plain HTTP exists (the client serves nothing else), and a path would be meaningless
/// because the API's paths are fixed, so both are rejected with a message that says so.
public struct ClientEndpoint: Hashable, Sendable, CustomStringConvertible {
    public var host: String
    public var port: UInt16

    public static let `default` = ClientEndpoint(host: "127.0.0.1", port: 9223)

    public init(host: String, port: UInt16) {
        self.host = host
        self.port = port
    }

    /// Parses `http://host:port` (a trailing `/` is allowed; `[::1]` for IPv6).
    public init(parsing text: String) throws(ClientEndpointError) {
        let lowered = text.lowercased()
        guard lowered.hasPrefix("http://") else {
            throw ClientEndpointError(input: text, reason: "it must start with http:// (the client serves plain HTTP)")
        }
        var rest = Substring(text.dropFirst("http://".count))
        if rest.hasSuffix("/") { rest = rest.dropLast() }
        guard !rest.contains("/"), !rest.contains("?"), !rest.contains("#"), !rest.contains("@") else {
            throw ClientEndpointError(input: text, reason: "give only http://HOST:PORT, without a path, query or user")
        }
        let hostPart: Substring
        let portPart: Substring
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else {
                throw ClientEndpointError(input: text, reason: "an IPv6 address needs a closing ]")
            }
            hostPart = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            guard after.hasPrefix(":") else {
                throw ClientEndpointError(input: text, reason: "the port is missing (the client listens on 9223)")
            }
            portPart = after.dropFirst()
        } else {
            guard let colon = rest.lastIndex(of: ":") else {
                throw ClientEndpointError(input: text, reason: "the port is missing (the client listens on 9223)")
            }
            hostPart = rest[..<colon]
            portPart = rest[rest.index(after: colon)...]
        }
        guard !hostPart.isEmpty, hostPart.allSatisfy({ $0.isLetter || $0.isNumber || ".-_:%".contains($0) }) else {
            throw ClientEndpointError(input: text, reason: "the host is empty or contains characters a host name cannot have")
        }
        guard !portPart.isEmpty, portPart.allSatisfy(\.isASCII), portPart.allSatisfy(\.isNumber),
              let port = UInt16(portPart), port > 0
        else {
            throw ClientEndpointError(input: text, reason: "the port must be a number from 1 to 65535")
        }
        self.init(host: String(hostPart), port: port)
    }

    public var description: String {
        host.contains(":") ? "http://[\(host)]:\(port)" : "http://\(host):\(port)"
    }
}

public struct ClientEndpointError: Error, CustomStringConvertible {
    public var input: String
    public var reason: String
    public var description: String { "invalid client URL '\(input)': \(reason); example: --client http://127.0.0.1:9223" }
}

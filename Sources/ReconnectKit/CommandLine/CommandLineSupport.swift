import ArgumentParser
import ReconnectPolicy
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Exit codes (sysexits.h), documented in the README and relied on by the systemd unit
/// (`RestartPreventExitStatus=64 78`).
public enum ExitStatus {
    public static let success: Int32 = 0
    /// The reconnect was sent but the client did not reach IN_GAME (one-shot `reconnect`).
    public static let reconnectFailed: Int32 = 1
    /// `check` found something that stops the daemon from reconnecting.
    public static let checkFailed: Int32 = 1
    /// EX_USAGE: the command line is wrong.
    public static let usage: Int32 = 64
    /// EX_UNAVAILABLE: the client could not be reached (one-shot commands).
    public static let unavailable: Int32 = 69
    /// EX_TEMPFAIL: another altv-reconnectd drives this client (one-shot `reconnect`; try again
    /// once it has stopped).
    public static let busy: Int32 = 75
    /// EX_CANTCREAT: `install`/`uninstall` could not write or remove a file.
    public static let cannotCreate: Int32 = 73
    /// EX_CONFIG: the configuration or environment is wrong (unreadable file, a PID file's missing
    /// directory, the kernel's inotify limits).
    public static let configuration: Int32 = 78
}

/// Runs an argument-parser command with errors as one line on stderr, `NAME: message`, and the
/// documented exit codes; `--help` and `--version` print as usual.
public func runCommand<Root: ParsableCommand>(_ root: Root.Type, name: String) -> Never {
    do {
        var command = try Root.parseAsRoot()
        try command.run()
        exit(ExitStatus.success)
    } catch let code as ExitCode {
        exit(code.rawValue)
    } catch {
        let code = Root.exitCode(for: error)
        if code == .success { Root.exit(withError: error) }
        let lines = Root.message(for: error).split(separator: "\n").map { $0.trimmingCharacters(where: \.isWhitespace) }.filter { !$0.isEmpty }
        let message = spacedUnit(in: Array(CommandLine.arguments.dropFirst())) ?? lines.joined(separator: "; ")
        printError("\(name): \(message) (see '\(name) --help')")
        exit(code.rawValue)
    }
}

/// `--poll-interval 250 ms`: the shell splits it, argument-parser then sees a stray `ms` (or a
/// number of seconds). Said for what it is, whatever error it caused.
func spacedUnit(in arguments: [String]) -> String? {
    let units: Set<String> = ["ns", "us", "µs", "ms", "s", "sec", "secs", "second", "seconds", "m", "min", "mins", "minute", "minutes", "h", "hour", "hours"]
    for index in arguments.indices.dropLast(2) where arguments[index].hasPrefix("--") {
        let number = arguments[index + 1], unit = arguments[index + 2]
        guard !number.isEmpty, number.allSatisfy({ $0.isNumber || $0 == "." }), units.contains(unit.lowercased()) else { continue }
        let joined = number + (unit.lowercased().hasPrefix("mi") ? "m" : unit.lowercased().hasPrefix("se") ? "s" : unit.lowercased().hasPrefix("ho") ? "h" : unit)
        return "\(arguments[index]) \(number) \(unit): write a duration without a space, e.g. \(arguments[index]) \(joined)"
    }
    return nil
}

/// One line on stdout, written at once (stdout may be a pipe read line by line).
public func printLine(_ line: String) {
    var bytes = Array((line + "\n").utf8)
    _ = bytes.withUnsafeMutableBytes { write(STDOUT_FILENO, $0.baseAddress, $0.count) }
}

/// One line on stderr; in bold red on a terminal that wants colour (errors stand out).
public func printError(_ line: String) {
    var bytes = Array((TerminalColour.error(line, environment: processEnvironment()) + "\n").utf8)
    _ = bytes.withUnsafeMutableBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
}

/// The process environment as a dictionary (without Foundation).
public func processEnvironment() -> [String: String] {
    var result: [String: String] = [:]
    var cursor = environ
    while let entry = cursor.pointee {
        let text = String(cString: entry)
        if let equals = text.firstIndex(of: "=") {
            result[String(text[..<equals])] = String(text[text.index(after: equals)...])
        }
        cursor += 1
    }
    return result
}

/// For `@Option(transform:)`: a duration such as `250ms`, `2.5s`, `1m` or bare seconds.
public func parseDuration(_ text: String) throws -> Duration {
    do {
        return try DurationText.parse(text)
    } catch {
        throw ValidationError(error.description)
    }
}

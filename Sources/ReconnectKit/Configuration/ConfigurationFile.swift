import ReconnectPolicy
import TOMLKit
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The configuration file: TOML (alt:V's own format), one top-level key per setting, named as
/// the long option without its dashes:
///
/// ```toml
/// log-file = "/home/me/altv-server/server.log"
/// client = "http://127.0.0.1:9223"
/// poll-interval = "250ms"     # durations: "250ms", "2.5s", "1m", or a number of seconds
/// password-file = "/home/me/.config/altv-reconnectd/password"
/// ```
///
/// Strict on purpose: an unknown key (a typo, `log_file`) or a value of the wrong type is an
/// error naming the key and its line, not a setting silently ignored.
public enum ConfigurationFile {
    /// Where the daemon looks without `--config`: `$XDG_CONFIG_HOME/altv-reconnectd/config.toml`
    /// (`~/.config/...` when XDG_CONFIG_HOME is unset).
    public static func defaultPath(environment: [String: String]) -> String? {
        if let config = environment["XDG_CONFIG_HOME"], config.hasPrefix("/") { return config + "/altv-reconnectd/config.toml" }
        if let home = environment["HOME"], home.hasPrefix("/") { return home + "/.config/altv-reconnectd/config.toml" }
        return nil
    }

    /// Reads and checks the file at `path`.
    public static func load(path: String) throws(ConfigurationError) -> Settings {
        let text: String
        do { text = String(decoding: try WholeFile.read(path, maximumSize: 1 << 20), as: UTF8.self) } catch {
            throw ConfigurationError("cannot read configuration file \(path): \(String(cString: strerror(error.errno))); create it (altv-reconnectd install writes a starter) or fix --config", errno: error.errno)
        }
        // `~/altv-server/server.log` in the file means the user's home, as in a shell.
        return try parse(text, path: path).resolvingPaths(home: getenv("HOME").map { String(cString: $0) })
    }

    /// What toml++ (inside TOMLKit 0.6.0) would abort the process on instead of reporting, found
    /// before it sees the text, as (line, reason). Its parser asserts (`TOML_ASSERT_ASSUME`: an
    /// abort, or undefined behaviour with NDEBUG) on some invalid input; scripts/fuzz found three
    /// shapes, each refused here with the reason:
    /// - a control character anywhere (` [\u{1}]`);
    /// - a table header whose name starts with anything but a bare-key character or a quote
    ///   (`[ä]`, `[#]`, `[.a]`, `[` alone, after a BOM or blanks too);
    /// - a malformed array (`[2,}`): a setting here never takes an array or an inline table, so a
    ///   value that starts with `[` or `{` is refused outright.
    /// Lines inside a multi-line string (`"""` or `'''`) are text and are not looked at.
    /// Works on UTF-8 bytes, as toml++ does: Swift's characters would glue a combining mark to
    /// the `[` before it (`[\u{313}`, found by scripts/fuzz) and hide the header.
    ///
    /// `compoundValues`: the file may hold arrays and inline tables (alt:V's `server.toml`);
    /// instead of refusing them, the one shape toml++ asserts on in them is looked for
    /// (`TOMLBrackets.problem`).
    static func textProblem(in text: String, compoundValues: Bool = false) -> (line: Int, reason: String)? {
        if compoundValues, let problem = TOMLBrackets.problem(in: Array(text.utf8)) { return problem }
        var openString: [UInt8]?
        for (index, rawLine) in Array(text.utf8).split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() {
            if let byte = rawLine.first(where: { ($0 < 0x20 && $0 != 0x09 && $0 != 0x0D) || $0 == 0x7F }) {
                let hex = String(byte, radix: 16, uppercase: true)
                return (index + 1, "a control character (byte 0x\(hex.count < 2 ? "0" : "")\(hex)) is not allowed in TOML; remove it")
            }
            if let delimiter = openString {
                if rawLine.ranges(of: delimiter).count % 2 == 1 { openString = nil }
                continue
            }
            let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
            let line = (index == 0 && rawLine.starts(with: bom) ? rawLine.dropFirst(3) : rawLine).drop { $0 == 0x20 || $0 == 0x09 }
            if line.first == UInt8(ascii: "[") {
                var name = line.dropFirst()
                if name.first == UInt8(ascii: "[") { name = name.dropFirst() }
                name = name.drop { $0 == 0x20 || $0 == 0x09 }
                guard let first = name.first, isBareKeyByte(first) || first == UInt8(ascii: "\"") || first == UInt8(ascii: "'") || first == UInt8(ascii: "]") else {
                    return (index + 1, "a table name must start with a letter, a digit, '_', '-' or a quote ([name] or [\"näme\"])")
                }
                continue
            }
            guard let value = valueBytes(of: line)?.drop(while: { $0 == 0x20 || $0 == 0x09 }) else { continue }
            if !compoundValues && (value.first == UInt8(ascii: "[") || value.first == UInt8(ascii: "{")) {
                return (index + 1, "a setting takes one value (a string, a number, true or false), not an array or a table")
            }
            for delimiter in [Array("\"\"\"".utf8), Array("'''".utf8)] where value.starts(with: delimiter) && value.ranges(of: delimiter).count % 2 == 1 {
                openString = delimiter
            }
        }
        return nil
    }

    private static func isBareKeyByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"): true
        default: false
        }
    }

    /// What follows the `=` of a `key = value` line (keys bare, quoted or dotted), or nil.
    private static func valueBytes(of line: ArraySlice<UInt8>) -> ArraySlice<UInt8>? {
        var rest = line
        while true {
            rest = rest.drop { $0 == 0x20 || $0 == 0x09 }
            guard let first = rest.first else { return nil }
            if first == UInt8(ascii: "\"") || first == UInt8(ascii: "'") {
                // A quoted key segment; a basic one may hold \" escapes.
                var index = rest.startIndex + 1
                while index < rest.endIndex && rest[index] != first {
                    index += first == UInt8(ascii: "\"") && rest[index] == UInt8(ascii: "\\") ? 2 : 1
                }
                guard index < rest.endIndex else { return nil }
                rest = rest[(index + 1)...]
            } else {
                let segment = rest.prefix(while: isBareKeyByte)
                guard !segment.isEmpty else { return nil }
                rest = rest.dropFirst(segment.count)
            }
            rest = rest.drop { $0 == 0x20 || $0 == 0x09 }
            switch rest.first {
            case UInt8(ascii: "."): rest = rest.dropFirst()
            case UInt8(ascii: "="): return rest.dropFirst()
            default: return nil
            }
        }
    }

    /// Parses configuration text; `path` names the file in errors.
    public static func parse(_ text: String, path: String) throws(ConfigurationError) -> Settings {
        if let (line, reason) = textProblem(in: text) {
            throw ConfigurationError("\(path) line \(line): \(reason)", errno: EINVAL)
        }
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ConfigurationError("\(path) line \(error.source.begin.line): \(SystemdNotifier.singleLine(error.description)); the file must be TOML (key = \"value\" lines)", errno: EINVAL)
        } catch {
            throw ConfigurationError("\(path): \(error)", errno: EINVAL)
        }
        let lines = KeyLines(text)
        func fail(_ key: String, _ message: String) -> ConfigurationError {
            ConfigurationError("\(path) line \(lines.line(of: key)): \(message)", errno: EINVAL)
        }
        var settings = Settings()
        for name in table.keys {
            guard let setting = SettingsTable.named(name) else {
                throw fail(name, unknownKeyMessage(name, isTable: table[name]?.table != nil))
            }
            let value = table[name]!
            do { try setting.decode(value, into: &settings) } catch { throw fail(name, error.message) }
            if let problem = setting.problem(in: settings) {
                throw fail(name, value.string?.isEmpty == true ? "\(name) \(problem)" : "\(name) = \(TOMLText.shown(value)): \(problem)")
            }
        }
        return settings
    }

    static func unknownKeyMessage(_ name: String, isTable: Bool) -> String {
        if name == "password" {
            return "'password' is not read from the configuration file, so that it never sits beside the settings; put it in a file of its own and set password-file, or use the systemd credential 'password'"
        }
        let normalized = name.lowercased().map { $0 == "_" ? "-" : $0 }
        if let close = SettingsTable.all.first(where: { $0.name == String(normalized) || $0.name.replacingDashes == name.lowercased() }) {
            return "unknown key '\(name)'; did you mean '\(close.name)'?"
        }
        let known = SettingsTable.all.map(\.name).joined(separator: ", ")
        return isTable
            ? "unknown table [\(name)]; the settings are top-level keys: \(known)"
            : "unknown key '\(name)'; the keys are: \(known)"
    }
}

extension String {
    /// `poll-interval` → `pollinterval`: for matching `pollInterval` or `PollInterval` typos.
    fileprivate var replacingDashes: String { String(filter { $0 != "-" }) }
}

/// Finds the line of a top-level key or table in TOML text, for error messages: TOMLKit reports
/// lines for syntax errors only, not for the nodes of a parsed table.
struct KeyLines {
    private var lines: [Substring]

    init(_ text: String) {
        lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
    }

    /// The 1-based line where `key` is set at the top level (`key = …`, `"key" = …`, `[key]`),
    /// or 1 when it cannot be found.
    func line(of key: String) -> Int {
        for (index, raw) in lines.enumerated() {
            let line = raw.drop(while: { $0 == " " || $0 == "\t" })
            if line.hasPrefix("[") {
                let name = line.dropFirst(line.hasPrefix("[[") ? 2 : 1).prefix(while: { $0 != "]" && $0 != "." })
                if Self.unquoted(name) == key { return index + 1 }
                continue
            }
            let name = line.prefix(while: { $0 != "=" && $0 != "." })
            if name.count < line.count, Self.unquoted(name) == key { return index + 1 }
        }
        return 1
    }

    private static func unquoted(_ text: Substring) -> String {
        var name = text.trimmingCharacters { $0 == " " || $0 == "\t" }
        if name.count >= 2, let first = name.first, first == "\"" || first == "'", name.last == first {
            name = String(name.dropFirst().dropLast())
        }
        return name
    }
}

import ReconnectPolicy

/// The lines of the server's output the daemon recognises, in the order that decides when one
/// line matches several: the ready line, a crash, the shutdown, a resource error. Each is a
/// setting with alt:V's wording as its default.
public struct ServerLinePatterns: Sendable, Equatable {
    public var ready: LinePattern
    public var crash: LinePattern
    public var shutdown: LinePattern
    public var resourceError: LinePattern

    /// alt:V: `[Error] Failed to load resource core`, `[Error] Failed to start resource chat
    /// unknown type js`; the last group is the resource's name.
    public static let defaultResourceError = "Failed to (load|start) resource ([^ :]+)"
    /// A crash leaves `MiniDump created.` (the server's crash handler) or the shell's
    /// `Segmentation fault`.
    public static let defaultCrash = "MiniDump created|Segmentation fault"
    public static let defaultShutdown = "Server shutdown"

    public init(ready: LinePattern = .default, crash: LinePattern = try! LinePattern(defaultCrash),
                shutdown: LinePattern = try! LinePattern(defaultShutdown), resourceError: LinePattern = try! LinePattern(defaultResourceError)) {
        self.ready = ready
        self.crash = crash
        self.shutdown = shutdown
        self.resourceError = resourceError
    }

    /// For `LineScanner`: the patterns in their order of priority.
    var ordered: [LinePattern] { [ready, crash, shutdown, resourceError] }

    /// What the line matched by pattern `index` of `ordered` means. A resource's name is the
    /// pattern's last group, or else the word after the match.
    func classify(_ index: Int, _ line: UnsafeRawBufferPointer) -> ServerLine {
        switch index {
        case 0: return .ready
        case 1: return .crash(ReportText.shownLine(line))
        case 2: return .shutdown
        default:
            let found = resourceError.match(line)
            let from = found?.whole.lowerBound ?? 0
            var name = found?.lastGroup.map { String(decoding: line[$0], as: UTF8.self) } ?? ""
            if name.isEmpty, let end = found?.whole.upperBound {
                name = String(decoding: line[end...].drop { $0 == 0x20 }.prefix { $0 != 0x20 && $0 != UInt8(ascii: ":") }, as: UTF8.self)
            }
            let text = ReportText.shownLine(UnsafeRawBufferPointer(rebasing: line[from...]))
            return .resourceError(ResourceError(name: name.isEmpty ? "?" : SystemdNotifier.singleLine(String(name.prefix(60))), text: text))
        }
    }
}

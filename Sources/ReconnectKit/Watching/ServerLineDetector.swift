import ReconnectPolicy

/// The sink a line source gives its follower (`LogSink`): finds the lines the daemon recognises
/// (`ServerLinePatterns`) in the bytes, says after each chunk that the server wrote (with its
/// last line), that the stream started over, and once when a line had to be cut. Confined to the
/// follower's queue like the follower.
public final class ServerLineDetector: LogSink, @unchecked Sendable {
    private var scanner: LineScanner
    private let onLine: (ServerLine, UnsafeRawBufferPointer) -> Void
    private let onOutput: (UnsafeRawBufferPointer) -> Void
    private let onRestart: () -> Void
    private let onLongLine: (Int) -> Void
    private var reportedLongLine = false

    /// - Parameters:
    ///   - onLine: each recognised line and its text, colours stripped; valid only during the call.
    ///   - onOutput: after each chunk that completed a line: the last line (colours not stripped).
    ///   - onRestart: the stream starts over (the log was truncated or replaced).
    ///   - onLongLine: called once, the first time a line longer than the limit is cut.
    public init(patterns: ServerLinePatterns, maximumLineLength: Int = 64 * 1024,
                onLine: @escaping (ServerLine, UnsafeRawBufferPointer) -> Void, onOutput: @escaping (UnsafeRawBufferPointer) -> Void = { _ in },
                onRestart: @escaping () -> Void = {}, onLongLine: @escaping (Int) -> Void = { _ in }) {
        scanner = LineScanner(patterns: patterns.ordered, maximumLineLength: maximumLineLength)
        self.patterns = patterns
        self.onLine = onLine
        self.onOutput = onOutput
        self.onRestart = onRestart
        self.onLongLine = onLongLine
    }

    /// Set on reload; applies from the next bytes on.
    public var patterns: ServerLinePatterns {
        didSet { scanner.patterns = patterns.ordered }
    }

    /// The chunk's output is told before its recognised lines: a chunk that ends with a
    /// shutdown line must leave the server stopped, not begin a start after it.
    public func consume(_ bytes: UnsafeRawBufferPointer) {
        let patterns = patterns
        let before = scanner.chunksWithLines
        var found: [(ServerLine, [UInt8])] = []
        scanner.scan(bytes) { index, line in found.append((patterns.classify(index, line), Array(line))) }
        if scanner.chunksWithLines != before { scanner.lastLine.withUnsafeBytes(onOutput) }
        for (line, text) in found { text.withUnsafeBytes { onLine(line, $0) } }
        if !reportedLongLine && scanner.truncatedLines > 0 {
            reportedLongLine = true
            onLongLine(scanner.maximumLineLength)
        }
    }

    public func restart() {
        scanner.reset()
        onRestart()
    }
}

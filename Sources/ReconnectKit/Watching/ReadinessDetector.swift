import ReconnectPolicy
/// The sink the daemon gives its `LogFollower`: scans the bytes for readiness lines and says so
/// once when a line had to be cut. Confined to the follower's queue like the follower.
public final class ReadinessDetector: LogSink, @unchecked Sendable {
    private var scanner: ReadinessScanner
    private let onReady: (UnsafeRawBufferPointer) -> Void
    private let onLongLine: (Int) -> Void
    private var reportedLongLine = false

    /// - Parameters:
    ///   - onReady: each readiness line, colours stripped; valid only during the call.
    ///   - onLongLine: called once, the first time a line longer than the limit is cut.
    public init(pattern: ReadinessPattern, maximumLineLength: Int = 64 * 1024,
                onReady: @escaping (UnsafeRawBufferPointer) -> Void, onLongLine: @escaping (Int) -> Void = { _ in }) {
        scanner = ReadinessScanner(pattern: pattern, maximumLineLength: maximumLineLength)
        self.onReady = onReady
        self.onLongLine = onLongLine
    }

    public func consume(_ bytes: UnsafeRawBufferPointer) {
        scanner.scan(bytes, onReady)
        if !reportedLongLine && scanner.truncatedLines > 0 {
            reportedLongLine = true
            onLongLine(scanner.maximumLineLength)
        }
    }

    public func restart() { scanner.reset() }

    /// The readiness pattern; set on reload, it applies from the next bytes on.
    public var pattern: ReadinessPattern {
        get { scanner.pattern }
        set { scanner.pattern = newValue }
    }
}

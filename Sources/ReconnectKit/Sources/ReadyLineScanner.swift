import ReconnectPolicy

/// The sink every line source feeds: scans the bytes for ready lines (`ReadinessDetector`) and
/// turns what it finds into `ServerEvent`s, so that a log file, a journal and any later source
/// of lines find readiness the same way.
final class ReadyLineScanner: @unchecked Sendable {
    let detector: ReadinessDetector

    /// - Parameter name: the source as named in the long-line warning ("/srv/server.log").
    init(pattern: ReadinessPattern, name: String, emit: @escaping (ServerEvent) -> Void) {
        detector = ReadinessDetector(
            pattern: pattern,
            onReady: { line in emit(.readyLine(ReportText.shownLine(line))) },
            onLongLine: { limit in emit(.report(.longLine(in: name, limit: limit))) }
        )
    }
}

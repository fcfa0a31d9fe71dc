import ReconnectPolicy

/// The sink every line source feeds: finds the lines the daemon recognises
/// (`ServerLineDetector`) and turns them into `ServerEvent`s, so that a log file, a journal and
/// any later source of lines read the server the same way.
final class ServerLineScanner: @unchecked Sendable {
    let detector: ServerLineDetector

    /// - Parameter name: the source as named in the long-line warning ("/srv/server.log").
    init(patterns: ServerLinePatterns, name: String, emit: @escaping (ServerEvent) -> Void) {
        detector = ServerLineDetector(
            patterns: patterns,
            onLine: { line, text in
                if case .ready = line { emit(.readyLine(ReportText.shownLine(text))) } else { emit(.serverLine(line)) }
            },
            // As read (at most 200 bytes): made presentable only if a report quotes it, since this
            // runs for every chunk, just before a ready line in the same chunk.
            onOutput: { last in emit(.output(lastLine: String(decoding: last, as: UTF8.self))) },
            onRestart: { emit(.outputRestarted) },
            onLongLine: { limit in emit(.report(.longLine(in: name, limit: limit))) }
        )
    }
}

import Logging
import ReconnectPolicy

/// What the daemon says about what the server did (`ServerRun`; see `ReportText`).
extension ReportText {
    /// - Parameter start: the last start the reconnect loop counted (0: none yet).
    public init(_ report: ServerRun.Report, start: Int) {
        let which = start > 0 ? " (start #\(start))" : ""
        switch report {
        case .crashed(let line):
            let what = line.map { ": \($0)" } ?? ": its process exited without a shutdown line"
            self.init(level: .error, message: "Server crashed\(which)\(what); waiting for the next start",
                      status: "Server crashed\(which); waiting for the next start")
            self = with(event: "server_crashed", start: start > 0 ? start : nil, messageID: MessageID.serverCrashed)
        case .shutDown:
            self.init(level: .info, message: "Server shut down\(which); waiting for the next start",
                      status: "Server stopped\(which); waiting for the next start")
            self = with(event: "server_shutdown", start: start > 0 ? start : nil)
        case .stalled(let after, let lastLine):
            let last = lastLine.map { "; its last line: '\(SystemdNotifier.singleLine(TerminalText.stripped($0)))'" } ?? ""
            self.init(level: .warning,
                      message: "The server has written no ready line \(DurationText.format(after)) after it began to start\(last); it is stuck starting, or stopped without saying so (see its console; start-timeout sets this wait)",
                      status: "Server start stalled: no ready line after \(DurationText.format(after))")
            self = with(event: "start_stalled", messageID: MessageID.startStalled)
        case .resourceErrorWhileRunning(let error):
            self.init(level: .warning, message: "Resource \(error.name) failed while the server runs\(which): \(error.text)", status: nil)
            self = with(event: "resource_error", start: start > 0 ? start : nil)
            fields["ALTV_RESOURCE_ERRORS"] = error.name
        }
    }

    /// The ready report of a start whose resources did not all load: a warning naming them,
    /// `ALTV_RESOURCE_ERRORS=core,chat`, and STATUS= `Server ready (start #3; resource chat
    /// failed to start), contacting client`.
    static func readyWithResourceErrors(_ ready: ReportText, start: Int, errors: [ResourceError]) -> ReportText {
        var text = ready
        let count = errors.count == 1 ? "1 resource error" : "\(errors.count) resource errors"
        text.level = .warning
        text.message += " with \(count): " + errors.map(\.text).joined(separator: "; ")
        let what = errors.count == 1 ? errors[0].summary : "\(errors.count) resources failed: " + errors.map(\.name).joined(separator: ", ")
        text.status = text.status.map { status in
            guard let close = status.firstIndex(of: ")") else { return status }
            return status[..<close] + "; \(what)" + status[close...]
        }
        text.fields["ALTV_RESOURCE_ERRORS"] = errors.map(\.name).joined(separator: ",")
        return text
    }
}

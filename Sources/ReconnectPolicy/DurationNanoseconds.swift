/// In the lowest module so that HTTP deadlines, timers and journal fields convert alike.
extension Duration {
    /// Whole nanoseconds, clamped to 0...UInt64.max (negative durations read as zero).
    public var nanosecondsClamped: UInt64 {
        let (seconds, attoseconds) = components
        if seconds < 0 || (seconds == 0 && attoseconds < 0) { return 0 }
        let (scaled, overflow) = UInt64(seconds).multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return .max }
        return scaled &+ UInt64(attoseconds / 1_000_000_000)
    }
}

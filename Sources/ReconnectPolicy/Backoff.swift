/// Exponential backoff for a probe that runs only while a server start is pending:
/// `initial`, then doubling up to `maximum`.
public struct Backoff: Sendable, Equatable {
    public var initial: Duration
    public var maximum: Duration
    public private(set) var attempts = 0

    public init(initial: Duration = .milliseconds(50), maximum: Duration = .seconds(2)) {
        self.initial = initial
        self.maximum = maximum
    }

    /// The delay before the next attempt; each call doubles it, up to `maximum`.
    public mutating func nextDelay() -> Duration {
        let factor = 1 << min(attempts, 30)
        attempts += 1
        return min(maximum, initial * factor)
    }
}

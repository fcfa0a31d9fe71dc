/// A point on CLOCK_MONOTONIC, in nanoseconds.
///
/// The policy never reads a clock itself: callers pass `now` (ReconnectKit's
/// `MonotonicInstant.now()` reads CLOCK_MONOTONIC), so tests drive time by hand.
public struct MonotonicInstant: Comparable, Hashable, Sendable, CustomStringConvertible {
    public var nanoseconds: UInt64

    public init(nanoseconds: UInt64) { self.nanoseconds = nanoseconds }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.nanoseconds < rhs.nanoseconds }

    public static func + (lhs: Self, rhs: Duration) -> Self {
        let (sum, overflow) = lhs.nanoseconds.addingReportingOverflow(rhs.nanosecondsClamped)
        return Self(nanoseconds: overflow ? .max : sum)
    }

    /// The time from `rhs` to `lhs`, zero if `rhs` is later.
    public static func - (lhs: Self, rhs: Self) -> Duration {
        lhs.nanoseconds > rhs.nanoseconds ? .nanoseconds(Int64(clamping: lhs.nanoseconds - rhs.nanoseconds)) : .zero
    }

    public var description: String { "\(nanoseconds)ns" }
}

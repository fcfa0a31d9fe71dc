import ClientProtocol
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A point on CLOCK_MONOTONIC, in nanoseconds.
///
/// The policy never reads a clock itself: callers pass `now`, so tests drive time by hand.
/// CLOCK_MONOTONIC is also what the simulator stamps its events with and what
/// `DispatchTime` uses on Linux, so measurements line up across processes.
public struct MonotonicInstant: Comparable, Hashable, Sendable, CustomStringConvertible {
    public var nanoseconds: UInt64

    public init(nanoseconds: UInt64) { self.nanoseconds = nanoseconds }

    public static func now() -> MonotonicInstant {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return MonotonicInstant(nanoseconds: UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec))
    }

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

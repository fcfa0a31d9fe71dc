import ReconnectPolicy
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

extension MonotonicInstant {
    /// The one place that reads CLOCK_MONOTONIC: the policy gets `now` passed in, and the HTTP
    /// deadlines, timers and `MONOTONIC_USEC=` all come from here. It is also what the
    /// simulator stamps its events with and what `DispatchTime` uses on Linux, so measurements
    /// line up across processes.
    public static func now() -> MonotonicInstant {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return MonotonicInstant(nanoseconds: UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec))
    }
}

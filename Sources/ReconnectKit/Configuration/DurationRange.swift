import ReconnectPolicy

/// The plausible values of a duration setting. A value outside is refused with what it most
/// likely meant: help texts say "default 250ms", so users write `--poll-interval 250`, which is
/// 250 seconds; the refusal says "did you mean 250ms?" instead of waiting four minutes in silence.
public struct DurationRange: Sendable {
    public let minimum: Duration
    public let maximum: Duration

    public init(_ minimum: Duration, _ maximum: Duration) {
        self.minimum = minimum
        self.maximum = maximum
    }

    /// Why `value` is not plausible, or nil: "250 s is longer than 1 min; did you mean 250ms?".
    public func problem(_ value: Duration) -> String? {
        if value < .zero { return "a duration cannot be negative" }
        if value < minimum { return "\(Self.spoken(value)) is shorter than \(Self.spoken(minimum))" }
        guard value > maximum else { return nil }
        var reason = "\(Self.spoken(value)) is longer than \(Self.spoken(maximum))"
        // A bare number is seconds; the same number of milliseconds is the usual intent.
        let nanoseconds = value.nanosecondsClamped
        if nanoseconds % 1_000_000_000 == 0 {
            let number = nanoseconds / 1_000_000_000
            let milliseconds = Duration.milliseconds(Int64(number))
            if milliseconds >= minimum && milliseconds <= maximum { reason += "; did you mean \(number)ms?" }
        }
        return reason
    }

    /// As said in a sentence: "250 s", "5 ms", "1 min", "1.5 s".
    static func spoken(_ value: Duration) -> String {
        let nanoseconds = value.nanosecondsClamped
        if nanoseconds >= 3_600_000_000_000 && nanoseconds % 3_600_000_000_000 == 0 { return "\(nanoseconds / 3_600_000_000_000) h" }
        if nanoseconds >= 60_000_000_000 && nanoseconds % 60_000_000_000 == 0 { return "\(nanoseconds / 60_000_000_000) min" }
        if nanoseconds % 1_000_000_000 == 0 { return "\(nanoseconds / 1_000_000_000) s" }
        if nanoseconds < 1_000_000_000 && nanoseconds % 1_000_000 == 0 { return "\(nanoseconds / 1_000_000) ms" }
        // Not whole: exact, in the larger unit ("61.5 s"), never rounded to something in range.
        let typed = DurationText.input(value)
        return typed.hasSuffix("ms") ? String(typed.dropLast(2)) + " ms" : typed.hasSuffix("s") ? String(typed.dropLast()) + " s" : typed
    }

    /// For the README and `--help`: "10ms to 60s".
    public var description: String { "\(DurationText.input(minimum)) to \(DurationText.input(maximum))" }
}


/// Durations as users write them on the command line: `250ms`, `2.5s`, `1m`, `1h`, or a bare
/// number of seconds. Parsed exactly (no floating point), so `0.1s` is 100 ms, not 99.999….
public enum DurationText {
    public struct SyntaxError: Error, CustomStringConvertible {
        public var input: String
        public var description: String {
            "invalid duration '\(input)': use a number with an optional unit ms, s, m or h, e.g. 250ms, 2.5s, 1m, 90"
        }
    }

    private static let units: [(suffix: String, nanoseconds: UInt64)] = [
        ("ms", 1_000_000), ("us", 1_000), ("µs", 1_000), ("ns", 1),
        ("s", 1_000_000_000), ("m", 60_000_000_000), ("h", 3_600_000_000_000),
    ]

    /// The longest duration accepted (a year): anything longer is a typo.
    static let maximumNanoseconds: UInt64 = 366 * 24 * 3_600_000_000_000

    public static func parse(_ input: String) throws(SyntaxError) -> Duration {
        let text = input.trimmingCharacters(where: \.isWhitespace).lowercased()
        var number = Substring(text)
        var unit: UInt64 = 1_000_000_000
        for candidate in units where text.hasSuffix(candidate.suffix) {
            number = text.dropLast(candidate.suffix.count)
            unit = candidate.nanoseconds
            break
        }
        number = number.drop(while: \.isWhitespace)
        let pieces = number.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard !number.isEmpty, pieces.count <= 2,
              pieces.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
              pieces.contains(where: { !$0.isEmpty })
        else { throw SyntaxError(input: input) }
        let whole = pieces[0].isEmpty ? 0 : UInt64(pieces[0])
        guard let whole else { throw SyntaxError(input: input) }
        let (wholeNanos, overflow) = whole.multipliedReportingOverflow(by: unit)
        guard !overflow else { throw SyntaxError(input: input) }
        var total = wholeNanos
        if pieces.count == 2 {
            var scale = unit
            for digit in pieces[1].prefix(18) {
                scale /= 10
                // Found by scripts/fuzz: 18446744073.9s overflowed here (a trap, not an error).
                let sum = total.addingReportingOverflow(UInt64(digit.wholeNumberValue!) * scale)
                guard !sum.overflow else { throw SyntaxError(input: input) }
                total = sum.partialValue
            }
        }
        guard total <= maximumNanoseconds else { throw SyntaxError(input: input) }
        return .nanoseconds(Int64(total))
    }

    /// The exact duration as a user would type it, and `parse` reads it back: `250ms`, `2.5s`,
    /// `60s`, `10m`. For help texts and the starter configuration.
    public static func input(_ duration: Duration) -> String {
        let nanoseconds = duration.nanosecondsClamped
        if nanoseconds == 0 { return "0s" }
        // Minutes only from 10 on: "60s" reads better than "1m" for a timeout.
        if nanoseconds % 60_000_000_000 == 0 && nanoseconds >= 600_000_000_000 { return "\(nanoseconds / 60_000_000_000)m" }
        if nanoseconds % 1_000_000_000 == 0 { return "\(nanoseconds / 1_000_000_000)s" }
        if nanoseconds < 1_000_000_000 && nanoseconds % 1_000_000 == 0 { return "\(nanoseconds / 1_000_000)ms" }
        if nanoseconds % 1_000_000 != 0 && nanoseconds < 1_000_000 { return "\(nanoseconds)ns" }
        var fraction = String(nanoseconds % 1_000_000_000)
        fraction = String(repeating: "0", count: 9 - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return "\(nanoseconds / 1_000_000_000).\(fraction)s"
    }

    /// A short human form for logs: `850 ms`, `4.2 s`, `3 min 5 s`.
    public static func format(_ duration: Duration) -> String {
        let nanoseconds = duration.nanosecondsClamped
        if nanoseconds < 1_000_000_000 { return "\((nanoseconds + 500_000) / 1_000_000) ms" }
        if nanoseconds < 60_000_000_000 {
            let tenths = (nanoseconds + 50_000_000) / 100_000_000
            return "\(tenths / 10).\(tenths % 10) s"
        }
        let seconds = (nanoseconds + 500_000_000) / 1_000_000_000
        return seconds % 60 == 0 ? "\(seconds / 60) min" : "\(seconds / 60) min \(seconds % 60) s"
    }
}

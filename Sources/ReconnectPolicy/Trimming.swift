extension StringProtocol {
    /// The text without the characters matching `predicate` at either end. Public from this,
    /// the lowest module, so that every module trims with the same code (status bodies, durations,
    /// command-line errors, configuration keys).
    public func trimmingCharacters(where predicate: (Character) -> Bool) -> String {
        guard let first = firstIndex(where: { !predicate($0) }), let last = lastIndex(where: { !predicate($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}

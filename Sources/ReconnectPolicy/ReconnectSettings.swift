/// The knobs of one reconnect loop. Its defaults are the settings' defaults (ReconnectKit's
/// `SettingsTable` refers to them), so each stands in one place.
public struct ReconnectSettings: Sendable, Equatable {
    /// Time between two `GET /status` while waiting for the client (the docs' script uses 2.5 s).
    public var pollInterval: Duration = .milliseconds(250)
    /// After the POST, how long the client has to reach `IN_GAME`.
    public var verifyTimeout: Duration = .seconds(60)
    /// Wait this long after readiness before the first contact: reconnecting too early after a
    /// restart has frozen clients (seen by framework authors). Zero by default.
    public var settleDelay: Duration = .zero
    /// After the POST, an answer that has not changed yet (still `MAIN_MENU`, still `IN_GAME`)
    /// is read as "the client has not reacted yet" for this long before it counts as a verdict.
    public var reactionGrace: Duration = .seconds(2)
    /// Stop waiting for a reconnectable client after this long (one-shot `reconnect`);
    /// `nil` waits until the next server start supersedes the loop (the daemon).
    public var giveUpAfter: Duration?

    public init() {}

    public init(pollInterval: Duration, verifyTimeout: Duration, settleDelay: Duration = .zero, giveUpAfter: Duration? = nil) {
        self.pollInterval = pollInterval
        self.verifyTimeout = verifyTimeout
        self.settleDelay = settleDelay
        self.giveUpAfter = giveUpAfter
    }
}

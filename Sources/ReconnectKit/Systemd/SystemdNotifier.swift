import ReconnectPolicy
import CShims
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Tells the service manager how the daemon is doing (sd_notify(3)), through the C shim.
///
/// A no-op when `NOTIFY_SOCKET` is unset — the daemon run by hand or in a test without a
/// socket — so callers never need to ask. Every `STATUS=` is forced onto one line.
public struct SystemdNotifier: Sendable {
    /// Whether a service manager listens (`NOTIFY_SOCKET` was set at start).
    public let isEnabled: Bool

    public init(environment: [String: String]) {
        isEnabled = !(environment["NOTIFY_SOCKET"] ?? "").isEmpty
    }

    /// `READY=1` plus the current status: start-up is complete.
    public func ready(status: String) { send(status) { altv_sd_notify_ready($0) } }

    public func status(_ status: String) { send(status) { altv_sd_notify_status($0) } }

    public func stopping(status: String) { send(status) { altv_sd_notify_stopping($0) } }

    /// `RELOADING=1` with `MONOTONIC_USEC=` (what Type=notify-reload expects); follow with `ready`.
    public func reloading(status: String) {
        let microseconds = MonotonicInstant.now().nanoseconds / 1_000
        send(status) { altv_sd_notify_reloading(microseconds, $0) }
    }

    /// `ERRNO=` and a status before exiting on a start-up error, so `systemctl status` says why.
    public func failed(errno code: Int32, status: String) { send(status) { altv_sd_notify_errno(code, $0) } }

    public func watchdogPing() {
        guard isEnabled else { return }
        _ = altv_sd_notify_watchdog()
    }

    /// The interval at which to send `WATCHDOG=1` (half of `WatchdogSec=`), or nil when the
    /// manager expects no pings from this process.
    public static func watchdogPingInterval() -> Duration? {
        var microseconds: UInt64 = 0
        guard altv_sd_watchdog_enabled(&microseconds) > 0, microseconds > 0 else { return nil }
        return .microseconds(Int64(clamping: microseconds / 2))
    }

    private func send(_ status: String, _ call: (UnsafePointer<CChar>) -> Int32) {
        guard isEnabled else { return }
        let line = Self.singleLine(status)
        _ = line.withCString(call)
    }

    /// `STATUS=` takes one line: newlines and other control characters become spaces.
    public static func singleLine(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? " " : $0 }))
    }
}

import ReconnectKit
import Testing
import TestSupport

@Suite struct SystemdNotifierTests {
    @Test func isANoOpWithoutNotifySocket() {
        #expect(!SystemdNotifier(environment: [:]).isEnabled)
        #expect(!SystemdNotifier(environment: ["NOTIFY_SOCKET": ""]).isEnabled)
        #expect(SystemdNotifier(environment: ["NOTIFY_SOCKET": "/run/user/1000/systemd/notify"]).isEnabled)
        // Sending without a socket does nothing and does not crash.
        SystemdNotifier(environment: [:]).ready(status: "x")
    }

    @Test func statusIsOneLine() {
        #expect(SystemdNotifier.singleLine("a\nb\r\tc\u{7F}") == "a b  c ")
        #expect(SystemdNotifier.singleLine("Client IN_GAME 4.2 s") == "Client IN_GAME 4.2 s")
    }

    @Test func journalStreamMustMatchStderr() {
        #expect(!JournalStream.isStandardErrorJournal(environment: [:]))
        #expect(!JournalStream.isStandardErrorJournal(environment: ["JOURNAL_STREAM": "garbage"]))
        #expect(!JournalStream.isStandardErrorJournal(environment: ["JOURNAL_STREAM": "1:1"]))
    }
}

import Foundation
import Testing
import TestSupport

/// The man page is generated from the commands and the settings table; doc/altv-reconnectd.1
/// is a copy kept equal to it here (regenerate: altv-reconnectd man > doc/altv-reconnectd.1).
@Suite struct ManPageTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    @Test func theCheckedInPageIsCurrent() throws {
        let (status, page, _) = try runProduct("altv-reconnectd", ["man"])
        #expect(status == 0)
        let copy = try String(contentsOfFile: Self.repository + "/doc/altv-reconnectd.1", encoding: .utf8)
        // runProduct gives stdout as its lines joined, without the last newline.
        #expect(page + "\n" == copy, "doc/altv-reconnectd.1 is stale: run altv-reconnectd man > doc/altv-reconnectd.1")
    }

    @Test func thePageHasTheSectionsAnOperatorExpects() throws {
        let (_, page, _) = try runProduct("altv-reconnectd", ["man"])
        for section in ["NAME", "SYNOPSIS", "DESCRIPTION", "COMMANDS", "OPTIONS", "CONFIGURATION", "FILES", "ENVIRONMENT", "EXIT STATUS", "EXAMPLES", "SEE ALSO"] {
            #expect(page.contains("\n.SH \(section)\n"), "\(section)")
        }
        // Every option of every command is documented (generated from the same table as --help).
        let (_, help, _) = try runProduct("altv-reconnectd", ["run", "--help"])
        let options = help.split(separator: "\n").compactMap { $0.split(separator: " ").first { $0.hasPrefix("--") && $0 != "--help" && $0 != "--version" } }
        #expect(options.count >= 14)
        for option in options {
            let name = option.replacingOccurrences(of: "--no-", with: "--").split(separator: "/").first.map(String.init) ?? ""
            #expect(page.contains(name.replacingOccurrences(of: "-", with: "\\-")), "\(name) is not in the man page")
        }
    }

    /// man itself reads it without a warning (when man is installed).
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/man"), "man is not installed"))
    func manRendersItWithoutWarnings() throws {
        let (status, out, err) = try runProduct("/usr/bin/man", ["--warnings", "-l", Self.repository + "/doc/altv-reconnectd.1"],
                                                environment: ["MANWIDTH": "100", "LC_ALL": "C.UTF-8", "MANPAGER": "cat", "PAGER": "cat"])
        #expect(status == 0)
        #expect(err.isEmpty, "\(err)")
        #expect(out.contains("altv-reconnectd - reconnect your alt:V debug client"))
    }

    /// install --user puts the man page and the completions where man and the shells look
    /// ($XDG_DATA_HOME), and uninstall removes them.
    @Test func installAndUninstallTheDocumentation() throws {
        let home = TemporaryDirectory()
        let environment = ["HOME": home.path, "XDG_CONFIG_HOME": "", "XDG_DATA_HOME": ""]
        let (status, stdout, _) = try runProduct("altv-reconnectd", ["install", "--user", "--log-file", home.file("server.log")], environment: environment)
        #expect(status == 0)
        let files = [
            ("man page", ".local/share/man/man1/altv-reconnectd.1"), ("bash completion", ".local/share/bash-completion/completions/altv-reconnectd"),
            ("zsh completion", ".local/share/zsh/site-functions/_altv-reconnectd"), ("fish completion", ".local/share/fish/vendor_completions.d/altv-reconnectd.fish"),
        ]
        for (what, path) in files {
            #expect(stdout.contains("\(what) \(home.file(path))"), "\(what) not listed:\n\(stdout)")
            #expect(FileManager.default.fileExists(atPath: home.file(path)))
        }
        #expect(readText(home.file(files[1].1)).contains("--poll-interval"), "the bash completion knows the settings")
        #expect(readText(home.file(files[0].1)).contains(".SH EXIT STATUS"))
        let (uninstalled, removed, _) = try runProduct("altv-reconnectd", ["uninstall", "--user"], environment: environment)
        #expect(uninstalled == 0)
        for (what, path) in files {
            #expect(removed.contains("\(what) \(home.file(path))"), "\(what) not removed:\n\(removed)")
            #expect(!FileManager.default.fileExists(atPath: home.file(path)))
        }
    }
}

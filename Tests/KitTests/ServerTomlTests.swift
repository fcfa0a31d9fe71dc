import ReconnectKit
import Testing
import TestSupport

/// The server's server.toml as the daemon reads it: full TOML (alt:V's tables and arrays), only
/// `password`, `debug` and `port` used, anything wrong a reading with its line, never a crash.
@Suite struct ServerTomlTests {
    @Test func readsWhatTheDaemonUsesFromAShippedLayout() {
        let reading = ServerToml.parse(altvServerToml(password: "hunter2", debug: true, port: 7790))
        #expect(reading == .read(ServerToml(password: Secret(Array("hunter2".utf8)), debug: true, port: 7790)))
        #expect(ServerToml.parse(altvServerToml(password: nil, debug: nil)) == .read(ServerToml(password: nil, debug: nil, port: 7788)))
        #expect(ServerToml.parse(altvServerToml(password: "", debug: false)).values == ServerToml(password: nil, debug: false, port: 7788), "an empty password is none")
    }

    @Test(arguments: [
        ("name = \"x\"\npassword = 1234\n", 2, "password must be a string, not an integer"),
        ("debug = \"true\"\n", 1, "debug must be true or false, not 'true'"),
        ("port = 70000\n", 1, "port must be a port number from 1 to 65535, not 70000"),
        ("modules = [\"js-module\",\n  }\n", 2, "'}' inside an array"),
        ("resources = [ }\n", 1, "'}' inside an array"),
        ("[voice\nbitrate = 1\n", 1, "expected ']'"),
        ("name = \"x\"\nname = \"y\"\n", 2, "cannot redefine"),
        ("a = 1\n[\u{1}]\n", 2, "control character"),
    ])
    func aFileThatDoesNotParseNamesItsLine(text: String, line: Int, reason: String) {
        guard case .invalid(let found, let why) = ServerToml.parse(text) else {
            Issue.record("\(text.debugDescription) parsed")
            return
        }
        #expect(found == line, "\(why)")
        #expect(why.contains(reason), "\(why)")
    }

    /// Braces and brackets inside strings and comments are text, not structure.
    @Test(arguments: [
        "description = \"[a, }\"\nresources = [\"chat\"]\n",
        "resources = [\"}\", '}', \"\"\"\n}\"\"\", # }\n]\n",
        "inline = { a = [1, 2], b = { c = \"}\" } }\n",
        "matrix = [[1, 2], [3, 4]]\n[[worlds]]\nname = \"a\"\n",
    ])
    func bracketsInTextAreNotStructure(text: String) {
        #expect(ServerToml.parse(text).values != nil, "\(ServerToml.parse(text))")
    }

    @Test func aMissingFileAndAFolderAreReadingsNotErrors() throws {
        let directory = TemporaryDirectory()
        #expect(ServerToml.read(directory.file("server.toml")) == .missing)
        #expect(ServerToml.read(directory.file("nowhere/server.toml")) == .missing)
        if case .unreadable = ServerToml.read(directory.path) {} else { Issue.record("a folder named server.toml is unreadable") }
    }

    @Test func theFolderNamesItsFiles() {
        #expect(ServerFolder("/srv/altv/").logFile == "/srv/altv/server.log")
        #expect(ServerFolder("/srv/altv").serverToml == "/srv/altv/server.toml")
        #expect(ServerFolder("/").logFile == "/server.log")
        #expect(ServerFolder("altv").serverToml == "altv/server.toml")
    }

    /// Neither the server's password nor the voice table's secret shows up in what is reported.
    @Test func noSecretIsShown() {
        let folder = ServerFolder("/srv/altv")
        let reading = ServerToml.parse(altvServerToml(password: "hunter2", debug: false))
        let texts = ReportText.serverToml(reading, in: folder, atStart: true, passwordSource: .serverToml(folder.serverToml))
        #expect(!texts.isEmpty)
        for text in texts {
            #expect(!text.message.contains("hunter2") && !(text.status ?? "").contains("hunter2"))
            #expect(!text.message.contains("voice-secret") && !(text.status ?? "").contains("voice-secret"))
        }
        #expect(!"\(reading)".contains("hunter2"))
    }
}

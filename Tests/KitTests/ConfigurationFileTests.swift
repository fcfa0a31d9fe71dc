@testable import ReconnectKit
import Testing
import TestSupport

@Suite struct ConfigurationFileTests {
    @Test func readsEverySetting() throws {
        let settings = try ConfigurationFile.parse("""
            # the server this daemon follows
            server-dir = "/srv/altv"
            log-file = "/srv/altv/server.log"
            pid-file = '/srv/altv/server.pid'
            journal-unit = "altv-server.service"
            docker-container = "altv-server"
            ready-pattern = "Server started"
            ready-delay = 2
            start-timeout = "30s"
            resource-error-pattern = 'Resource (.+) failed'
            crash-pattern = "core dumped"
            shutdown-pattern = "Stopped"
            ready-port = 7788
            settle-delay = 1.5
            client = "http://172.20.0.1:9223"
            request-timeout = "3s"
            poll-interval = "100ms"
            verify-timeout = "2m"
            keep-connected = true
            keep-connected-interval = "10s"
            password-file = "/etc/altv-reconnectd/password"
            verbose = true
            """, path: "config.toml")
        #expect(settings[\.serverDirectory] == "/srv/altv")
        #expect(settings[\.logFile] == "/srv/altv/server.log")
        #expect(settings[\.pidFile] == "/srv/altv/server.pid")
        #expect(settings[\.journalUnit] == "altv-server.service")
        #expect(settings[\.dockerContainer] == "altv-server")
        #expect(settings[\.readyPattern]?.source == "Server started")
        #expect(settings[\.readyDelay] == .seconds(2))
        #expect(settings[\.startTimeout] == .seconds(30))
        #expect(settings[\.resourceErrorPattern]?.source == "Resource (.+) failed")
        #expect(settings[\.crashPattern]?.source == "core dumped")
        #expect(settings[\.shutdownPattern]?.source == "Stopped")
        #expect(settings[\.readyPort] == 7788)
        #expect(settings[\.settleDelay] == .milliseconds(1500))
        #expect(settings[\.client] == ClientEndpoint(host: "172.20.0.1", port: 9223))
        #expect(settings[\.requestTimeout] == .seconds(3))
        #expect(settings[\.pollInterval] == .milliseconds(100))
        #expect(settings[\.verifyTimeout] == .seconds(120))
        #expect(settings[\.keepConnected] == true)
        #expect(settings[\.keepConnectedInterval] == .seconds(10))
        #expect(settings[\.passwordFile] == "/etc/altv-reconnectd/password")
        #expect(settings[\.verbose] == true)
        // Every key the command line has is a key of the file.
        #expect(SettingsTable.all.allSatisfy { $0.shown(in: settings) != nil }, "the example sets every setting")
    }

    @Test(arguments: [
        ("log-file = \"/l\"\n\nlog_file = \"/x\"\n", "config.toml line 3: unknown key 'log_file'; did you mean 'log-file'?"),
        ("log-file = \"/l\"\npollInterval = \"1s\"\n", "config.toml line 2: unknown key 'pollInterval'; did you mean 'poll-interval'?"),
        ("log-file = \"/l\"\n  colour = true\n", "config.toml line 2: unknown key 'colour'; the keys are: "),
        ("log-file = \"/l\"\n[server]\nport = 7788\n", "config.toml line 2: unknown table [server]"),
        ("ready-port = \"7788\"\n", "config.toml line 1: ready-port must be a port number from 1 to 65535, not a string"),
        ("log-file = \"/l\"\nready-port = 70000\n", "config.toml line 2: ready-port must be a port number from 1 to 65535, not 70000"),
        ("log-file = \"/l\"\n\"poll-interval\" = true\n", "config.toml line 2: poll-interval must be a duration such as"),
        ("poll-interval = \"fast\"\n", "config.toml line 1: poll-interval must be a duration such as \"250ms\", \"2.5s\", \"1m\" or a number of seconds, not \"fast\""),
        ("log-file = 42\n", "config.toml line 1: log-file must be a string (a path), not an integer"),
        ("verbose = \"yes\"\n", "config.toml line 1: verbose must be true or false, not a string"),
        ("\n\npoll-interval = \"5ms\"\n", "config.toml line 3: poll-interval = '5ms': 5 ms is shorter than 10 ms"),
        ("client = \"https://host:9223\"\n", "config.toml line 1: client:"),
        ("ready-pattern = \"(\"\n", "config.toml line 1: ready-pattern:"),
        ("log-file = \"\"\n", "config.toml line 1: log-file is empty"),
        ("log-file = \"/l\n", "config.toml line 1: "),
        ("log-file = \"/a\"\nlog-file = \"/b\"\n", "config.toml line 2: "),
        ("password = \"hunter2\"\n", "config.toml line 1: 'password' is not read from the configuration file"),
    ])
    func rejectsWithKeyAndLine(text: String, expected: String) {
        do {
            _ = try ConfigurationFile.parse(text, path: "config.toml")
            Issue.record("accepted: \(text)")
        } catch {
            #expect(error.message.hasPrefix(expected), "\(error.message)")
            #expect(!error.message.contains("hunter2"))
        }
    }

    @Test func commandLineWinsOverTheFile() throws {
        let file = try ConfigurationFile.parse("log-file = \"/file.log\"\npoll-interval = \"1s\"\nclient = \"http://10.0.0.2:9223\"\n", path: "c")
        var commandLine = Settings()
        commandLine[\.pollInterval] = .milliseconds(100)
        let merged = commandLine.overriding(file)
        #expect(merged[\.pollInterval] == .milliseconds(100))
        #expect(merged[\.logFile] == "/file.log")
        #expect(merged[\.client] == ClientEndpoint(host: "10.0.0.2", port: 9223))
        #expect(merged.changes(from: file).map(\.name) == ["poll-interval"])
        let configuration = try merged.resolve(environment: [:])
        #expect(configuration.reconnect.pollInterval == .milliseconds(100))
        #expect(configuration.requestTimeout == .seconds(2), "defaults fill what neither layer sets")
    }

    @Test func theStarterConfigurationReadsBackAsGiven() throws {
        var given = Settings()
        given[\.logFile] = "/home/o'neil/altv \"server\"/server.log"
        given[\.client] = .default
        let text = StarterConfig.text(given)
        let settings = try ConfigurationFile.parse(text, path: "config.toml")
        #expect(settings[\.logFile] == "/home/o'neil/altv \"server\"/server.log")
        #expect(settings[\.client] == ClientEndpoint.default)
        #expect(settings[\.journalUnit] == nil && settings[\.pidFile] == nil && settings[\.pollInterval] == nil)
        #expect(text.contains("# journal-unit = 'altv-server.service'"))
        let empty = try ConfigurationFile.parse(StarterConfig.text(Settings()), path: "c")
        #expect(empty.sourceProblem() != nil, "without a source the starter says what to set, and the daemon refuses to start")
    }

    @Test func pathsAreTakenAsTheUserMeansThem() {
        #expect(PathText.resolved("~/altv/server.log", home: "/home/me") == "/home/me/altv/server.log")
        #expect(PathText.resolved("~", home: "/home/me") == "/home/me")
        #expect(PathText.resolved("~other/x", home: "/home/me") == "~other/x", "another user's home is not guessed")
        #expect(PathText.resolved("logs/server.log", home: "/home/me", directory: "/srv") == "/srv/logs/server.log")
        #expect(PathText.resolved("logs/server.log", home: "/home/me") == "logs/server.log", "relative stays relative without a directory")
        #expect(PathText.resolved("/abs", home: "/home/me", directory: "/srv") == "/abs")
        var settings = Settings()
        settings[\.logFile] = "~/server.log"
        settings[\.journalUnit] = "~unit"
        let resolved = settings.resolvingPaths(home: "/home/me")
        #expect(resolved[\.logFile] == "/home/me/server.log")
        #expect(resolved[\.journalUnit] == "~unit", "only paths")
    }

    @Test func defaultPathFollowsXDG() {
        #expect(ConfigurationFile.defaultPath(environment: ["XDG_CONFIG_HOME": "/x", "HOME": "/h"]) == "/x/altv-reconnectd/config.toml")
        #expect(ConfigurationFile.defaultPath(environment: ["HOME": "/h"]) == "/h/.config/altv-reconnectd/config.toml")
        #expect(ConfigurationFile.defaultPath(environment: [:]) == nil)
    }

    /// Found by scripts/fuzz: toml++ aborted the daemon on a table header not starting with a
    /// bare-key character or a quote (`[ä]`, `[#]`), and on a control character in one;
    /// such a file is now refused with one line, like any other mistake. A huge float duration
    /// trapped the conversion to nanoseconds.
    @Test func controlCharactersAndHugeNumbersAreOneLineErrors() {
        for (text, expected) in [(" [\u{1}]\n", "line 1: a control character (byte 0x01)"), ("# ok\nlog-file = \"a\u{7F}\"\n", "line 2: a control character (byte 0x7F)"),
                                 ("[ok]\n[ä]\n", "line 2: a table name must start with"), (" [\t\u{FFFD}", "line 1: a table name"), ("[#]", "line 1: a table name"),
                                 ("[.a]", "line 1: a table name"), ("[[ =]]", "line 1: a table name"), ("x = 1\n[\n", "line 2: a table name"),
                                 ("log-file = \"/x\"\npoll-interval = 1e300\n", "poll-interval must be a duration"),
                                 ("log-file =t\n l3[x\n", "saw 't"), ("[\tä\'\'\'x", "line 1: a table name"), ("\u{FEFF}[ä]", "line 1: a table name"),
                                 ("log-fil=[2,} 2]", "line 1: a setting takes one value"), ("a.\"b=c\" = {x = 1}", "line 1: a setting takes one value"),
                                 ("    [\u{313}og\"\n", "line 1: a table name")] {
            do {
                _ = try ConfigurationFile.parse(text, path: "config.toml")
                Issue.record("accepted \(text.debugDescription)")
            } catch {
                #expect(error.message.contains(expected), "\(error.message)")
                #expect(!error.message.contains("\n"))
            }
        }
    }

    /// The pre-check refuses nothing valid for this file: quoted and dotted table names, arrays of
    /// tables, a line starting with `[` or `{` inside a multi-line string, brackets inside strings.
    @Test func validTableHeadersAndMultilineStringsPass() {
        for text in ["[a]\n", "[\"säkerhet\"]\n", "[ 'x' . y ]\n", "[[servers]]\n", "[-_9]\n", "ready-pattern = \'\'\'\n[[:digit:]]+ Server started\'\'\'\n",
                     "ready-pattern = \"\"\"\n[#] x\"\"\"\n", "ready-pattern = \"\"\"\n{x}\n\"\"\"\n", "log-file = \"[not an array]\"\n", "\"a=[b\" = 1\n"] {
            #expect(ConfigurationFile.textProblem(in: text) == nil, "\(text.debugDescription)")
        }
    }
}

import ReconnectPolicy

/// The client, the password and the user service.
extension SetupCheck {
    func client() -> CheckResult {
        let client = settings.debugClient
        let url = client.endpoint
        switch client.status() {
        case .success(.unknown(let text)):
            return CheckResult(.warn, "client \(url) answers an unknown status '\(text)'", fix: "update altv-reconnectd if the client is newer")
        case .success(let status):
            return CheckResult(.pass, "client \(url) answers \(status): the alt:V debug API")
        case .failure(.anotherProgram(let what)):
            return CheckResult(.fail, "another program listens on \(url), not the alt:V client (it answered \(what))",
                               fix: "set client to the debug API's address (port 9223 unless changed; 9222 is the game's CEF DevTools)")
        case .failure(.connectionRefused):
            return CheckResult(clientMayBeAbsent ? .warn : .fail, "client \(url): not running (connection refused)",
                               fix: "start GTA V with debug = true in altv.toml (and in the server's server.toml); under WSL2 with NAT networking, client is the Windows host's address")
        case .failure(let error):
            return CheckResult(clientMayBeAbsent ? .warn : .fail, "client \(url): \(error)",
                               fix: "check client and that nothing between (a tunnel, a firewall) holds the connection")
        }
    }

    /// Where the password comes from (never what it is), and whether others may read its file.
    func password() -> [CheckResult] {
        let secret: Secret?
        let origin: PasswordSource.Origin
        let folder = settings[\.serverDirectory].map(ServerFolder.init)
        let serverToml = folder.flatMap { folder in ServerToml.read(folder.serverToml).values.map { (folder.serverToml, $0) } }
        do {
            (secret, origin) = try PasswordSource.load(passwordFile: settings[\.passwordFile], environment: environment, serverToml: serverToml)
        } catch {
            return [CheckResult(.fail, "password: \(error.message)")]
        }
        var path: String?
        var results: [CheckResult] = []
        // Run by hand, the unit's credential is not here; the unit reads this file, and it wins
        // over server.toml's password.
        let credentialFile = (UserPaths(environment: environment)?.password).flatMap { file in
            (try? WholeFile.read(file, maximumSize: 4096)).flatMap { $0.isEmpty ? nil : file }
        }
        let serverTomlOrNone = switch origin {
        case .none, .serverToml: true
        case .file, .credential: false
        }
        switch (secret, origin) {
        case _ where serverTomlOrNone && credentialFile != nil:
            let overrides = if case .serverToml = origin { " (over server.toml's)" } else { "" }
            results.append(CheckResult(.pass, "password: \(credentialFile!) exists; the user service hands it over as the credential 'password'\(overrides)"))
            path = credentialFile
        case (_, .serverToml(let file)):
            results.append(CheckResult(.pass, "password: from \(file) (its password key)"))
        case (nil, .none):
            let serverHasNone = serverToml != nil ? "; server.toml sets none either" : ""
            results.append(CheckResult(.pass, "password: none configured (right when the server has none\(serverHasNone); otherwise put it in password-file or the 'password' credential)"))
        case (nil, let origin):
            results.append(CheckResult(.warn, "password: \(origin) is empty; the reconnect is sent without a password"))
        case (_, let origin):
            results.append(CheckResult(.pass, "password: from \(origin)"))
            if case .file(let file) = origin { path = file }
        }
        if let path, let exposure = PasswordSource.exposure(of: path) {
            results.append(CheckResult(.warn, exposure))
        }
        return results
    }

    /// The user service: installed, enabled, running, and what it says.
    func service() -> CheckResult {
        let unit = "altv-reconnectd.service"
        let (status, output) = systemctl(["show", unit, "-p", "LoadState", "-p", "UnitFileState", "-p", "ActiveState", "-p", "StatusText"])
        guard status == 0 else {
            return CheckResult(.warn, "user service: cannot ask your user manager (systemctl --user exited \(status))",
                               fix: "run check in your login session to see the service")
        }
        var properties: [String: String] = [:]
        for line in output.split(whereSeparator: \.isNewline) {
            guard let equals = line.firstIndex(of: "=") else { continue }
            properties[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        guard properties["LoadState"] == "loaded" else {
            return CheckResult(.warn, "user service: not installed", fix: "altv-reconnectd install --user")
        }
        let enabled = properties["UnitFileState"] ?? "?"
        let active = properties["ActiveState"] ?? "?"
        let said = properties["StatusText"].flatMap { $0.isEmpty ? nil : "; it says: \($0)" } ?? ""
        if active != "active" {
            return CheckResult(.warn, "user service: installed, \(enabled), \(active)\(said)", fix: "systemctl --user enable --now altv-reconnectd")
        }
        return CheckResult(enabled == "enabled" ? .pass : .warn, "user service: \(enabled), \(active)\(said)",
                           fix: enabled == "enabled" ? nil : "systemctl --user enable altv-reconnectd (to start it at login)")
    }
}

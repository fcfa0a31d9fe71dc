import ReconnectPolicy
import Testing

@Suite struct ClientStatusTests {
    @Test(arguments: [
        ("MAIN_MENU", ClientStatus.mainMenu), ("main_menu", .mainMenu), ("  MAIN_MENU\r\n", .mainMenu),
        ("\"IN_GAME\"", .inGame), ("'in_game'\n", .inGame), ("Main Menu", .mainMenu), ("downloading-files", .downloadingFiles),
        ("LOADING", .loading), ("CONNECTING", .connecting), ("DISCONNECTING", .disconnecting), ("ERROR", .error),
    ])
    func parsesLiberally(body: String, expected: ClientStatus) {
        #expect(ClientStatus(parsing: body) == expected)
        #expect(ClientStatus(parsing: Array(body.utf8)) == expected)
    }

    @Test func keepsUnknownValuesVerbatim() {
        #expect(ClientStatus(parsing: " SPECTATING \n") == .unknown("SPECTATING"))
        #expect(ClientStatus(parsing: "") == .unknown(""))
        #expect(ClientStatus(parsing: "SPECTATING").description == "unknown(SPECTATING)")
        let long = String(repeating: "x", count: 500)
        guard case .unknown(let shown) = ClientStatus(parsing: long) else { Issue.record("not unknown"); return }
        #expect(shown.count == 65)
    }

    @Test func onlyMenuAndGameAcceptReconnect() {
        let accepting = ClientStatus.documented.filter(\.acceptsReconnect)
        #expect(accepting == [.mainMenu, .inGame])
        #expect(!ClientStatus.unknown("MAIN_MENU?").acceptsReconnect)
    }
}

import Dispatch
import ReconnectPolicy

/// One daemon per client (see `ClientClaim`).
extension Daemon {
    /// Claims the client and starts the sources, or, while another daemon drives the client,
    /// stands by (READY=1, saying so) and starts them the moment that daemon ends: like a daemon
    /// started late, it then connects the client once if the server is already up.
    func claimClientThenStart() -> Result<Void, ConfigurationError> {
        dispatchPrecondition(condition: .onQueue(queue))
        let endpoint = configuration.client
        do {
            switch try ClientClaim.attempt(endpoint) {
            case .claimed(let claim):
                self.claim = claim
                return startSources()
            case .heldBy:
                standBy(endpoint: endpoint)
                notifier.ready(status: currentStatus ?? "Standby")
                return .success(())
            }
        } catch {
            return .failure(ConfigurationError("cannot claim the client \(endpoint): \(error)", errno: error.errno))
        }
    }

    /// A reload names another client: claim it (releasing the old one), or say no while another
    /// daemon drives it. A standby waits for the new client's holder instead.
    func moveClaim(to endpoint: ClientEndpoint) -> Bool {
        if let standby {
            standby.stop()
            standBy(endpoint: endpoint)
            return true
        }
        guard case .claimed(let newClaim)? = try? ClientClaim.attempt(endpoint) else { return false }
        claim = newClaim
        return true
    }

    func standBy(endpoint: ClientEndpoint) {
        let standby = ClientClaim.Standby(endpoint: endpoint, queue: queue, onHolder: { [weak self] pid in
            self?.publish(.standby(holder: pid, client: endpoint))
        }, onClaimed: { [weak self] claim in
            guard let self else { return }
            self.claim = claim
            self.standby = nil
            publish(.takingOver(endpoint))
            if case .failure(let error) = startSources() {
                takeOverFailure = error
                stopped.signal()
            }
        })
        self.standby = standby
        standby.start()
    }
}

import ReconnectKit
import ReconnectPolicy

runCommand(AltvClientSim.self, name: "altv-client-sim")

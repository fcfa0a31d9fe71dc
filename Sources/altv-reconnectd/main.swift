import ReconnectKit
import ReconnectPolicy

runCommand(AltvReconnectd.self, name: "altv-reconnectd")

import CommandLineSupport

runCommand(AltvReconnectd.self, name: "altv-reconnectd")

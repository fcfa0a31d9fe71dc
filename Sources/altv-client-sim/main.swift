import CommandLineSupport

runCommand(AltvClientSim.self, name: "altv-client-sim")

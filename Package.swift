// swift-tools-version:6.0
//
// altv-reconnectd: reconnect an alt:V debug client every time its server (re)starts.
//
// Module map (one concern each; the executables stay thin):
//   CLibsystemd        pkg-config view of libsystemd (headers + -lsystemd), used only by CSystemd
//   CSystemd           C shim: the only code that calls libsystemd (sd_notify, watchdog, journal)
//   Systemd            Swift side of the shim: notifier, journal-aware log handler, journal follower
//   ClientProtocol     the client's debug API: status parsing, a small HTTP/1.1 client, DebugClient
//   ReconnectPolicy    pure policy: the reconnect state machine, durations (no I/O, no clocks)
//   CLinux             glibc/Linux calls the Glibc module does not export (memmem, memrchr, pidfd_open)
//   LogWatch           watching the server: inotify log following and readiness scanning, PID file + pidfd
//   ReconnectDaemon    wiring: settings and configuration, watchers -> policy -> client -> notifier
//   ConfigFile         the TOML configuration file (TOMLKit), checked key by key with line numbers
//   CUnitFiles         the unit files of systemd/, embedded at build time (C23 #embed)
//   Installation       `install --user` / `uninstall --user`: program, unit, the starter configuration
//   ClientSimulator    a faithful simulator of the client's debug API (library, for tests too)
//   CommandLineSupport argument types and exit codes shared by both executables
import PackageDescription

let package = Package(
    name: "altv-reconnectd",
    products: [
        .executable(name: "altv-reconnectd", targets: ["altv-reconnectd"]),
        .executable(name: "altv-client-sim", targets: ["altv-client-sim"]),
        .library(
            name: "ReconnectKit",
            targets: ["ReconnectDaemon", "ReconnectPolicy", "ClientProtocol", "LogWatch", "Systemd", "ClientSimulator", "ConfigFile"]
        ),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CLibsystemd",
            pkgConfig: "libsystemd",
            providers: [.apt(["libsystemd-dev"])]
        ),
        .target(name: "CSystemd", dependencies: ["CLibsystemd"]),
        .target(name: "Systemd", dependencies: ["CSystemd", "LogWatch", .product(name: "Logging", package: "swift-log")]),
        .target(name: "ReconnectPolicy", dependencies: ["ClientProtocol"]),
        .target(name: "ClientProtocol"),
        .target(name: "CLinux"),
        .target(name: "LogWatch", dependencies: ["CLinux"]),
        .target(
            name: "ReconnectDaemon",
            dependencies: [
                "ReconnectPolicy", "ClientProtocol", "LogWatch", "Systemd", "CLinux",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "ConfigFile",
            dependencies: ["ReconnectDaemon", "ClientProtocol", "LogWatch", "ReconnectPolicy", "Systemd", .product(name: "TOMLKit", package: "TOMLKit")]
        ),
        .target(name: "CUnitFiles"),
        .target(name: "Installation", dependencies: ["CUnitFiles", "LogWatch"]),
        .target(name: "ClientSimulator", dependencies: ["ClientProtocol", "ReconnectPolicy"]),
        .target(
            name: "CommandLineSupport",
            dependencies: ["ReconnectPolicy", "ClientProtocol", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .executableTarget(
            name: "altv-reconnectd",
            dependencies: [
                "ReconnectDaemon", "ConfigFile", "Installation", "CommandLineSupport", "Systemd",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "altv-client-sim",
            dependencies: [
                "ClientSimulator", "CommandLineSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "UnitTests",
            dependencies: ["ReconnectPolicy", "ClientProtocol", "LogWatch", "ClientSimulator", "Systemd", "ReconnectDaemon", "ConfigFile"]
        ),
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "ReconnectPolicy", "ClientProtocol", "LogWatch", "ClientSimulator", "Systemd", "ReconnectDaemon", "Installation",
                "altv-reconnectd", "altv-client-sim",
            ]
        ),
    ]
)

// Coverage-guided fuzz targets (libFuzzer), one per parser of outside input: added only when
// ALTV_FUZZ is set, because they link libFuzzer's own main (`-sanitize=fuzzer`). `scripts/fuzz`
// builds and runs them; the corpus lives in Fuzz/Corpus/NAME.
if Context.environment["ALTV_FUZZ"] != nil {
    let fuzzTargets: [(name: String, dependencies: [Target.Dependency])] = [
        ("fuzz-http-response", ["ClientProtocol"]),
        ("fuzz-client-status", ["ClientProtocol"]),
        ("fuzz-readiness-scanner", ["LogWatch"]),
        ("fuzz-readiness-pattern", ["LogWatch"]),
        ("fuzz-duration-url", ["ReconnectPolicy", "ClientProtocol"]),
        ("fuzz-config-file", ["ConfigFile", "ReconnectDaemon"]),
        ("fuzz-pid-file", ["LogWatch"]),
    ]
    package.targets.append(.target(name: "FuzzSupport", path: "Fuzz/Targets/FuzzSupport"))
    for target in fuzzTargets {
        package.targets.append(.executableTarget(name: target.name, dependencies: target.dependencies + ["FuzzSupport"], path: "Fuzz/Targets/\(target.name)"))
    }
}

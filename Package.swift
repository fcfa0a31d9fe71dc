// swift-tools-version:6.0
//
// altv-reconnectd: reconnect an alt:V debug client every time its server (re)starts.
// The module map, how a ready line travels to the POST and how to add a source or a setting:
// README.md, "How the code is laid out".
import PackageDescription

/// A release build links the Swift runtime and Foundation statically, so a plain
/// `swift build -c release` gives the lean daemon `--static-swift-stdlib` gives (measured: 12.2 MB
/// peak RSS for `--version` against 21.5 MB with the runtime's shared libraries, and no
/// dependency on the toolchain's folder at run time). `-static-stdlib` at link time alone is not
/// enough: the modules were compiled against the shared Foundation, whose autolink entries do
/// not name the two archives the static FoundationEssentials needs, so they are named here.
/// Debug builds (the tests) keep the shared runtime: faster links.
let staticSwiftRuntime: [LinkerSetting] = [
    .unsafeFlags(["-static-stdlib"], .when(configuration: .release)),
    .linkedLibrary("_FoundationCShims", .when(configuration: .release)),
    .linkedLibrary("_FoundationCollections", .when(configuration: .release)),
]

let package = Package(
    name: "altv-reconnectd",
    products: [
        .executable(name: "altv-reconnectd", targets: ["altv-reconnectd"]),
        .executable(name: "altv-client-sim", targets: ["altv-client-sim"]),
        .library(name: "ReconnectKit", targets: ["ReconnectKit", "ReconnectPolicy", "ClientSimulator"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
    ],
    targets: [
        .systemLibrary(name: "CLibsystemd", pkgConfig: "libsystemd", providers: [.apt(["libsystemd-dev"])]),
        .target(name: "CShims", dependencies: ["CLibsystemd"]),
        .target(name: "ReconnectPolicy"),
        .target(
            name: "ReconnectKit",
            dependencies: [
                "ReconnectPolicy", "CShims",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "TOMLKit", package: "TOMLKit"),
            ],
            // TOMLKit re-exports Foundation: without this, its String extensions (`contains`,
            // `range(of:)`) would win overload resolution in every file of the module and link
            // Foundation with ICU's data (+35 MB binary, +2.8 MB RSS). With it, only the files
            // that import TOMLKit see them.
            swiftSettings: [.enableUpcomingFeature("MemberImportVisibility")]
        ),
        .target(name: "ClientSimulator", dependencies: ["ReconnectPolicy", "ReconnectKit"]),
        .executableTarget(name: "altv-reconnectd", dependencies: ["ReconnectKit"], linkerSettings: staticSwiftRuntime),
        .executableTarget(name: "altv-client-sim", dependencies: ["ClientSimulator", "ReconnectKit"], linkerSettings: staticSwiftRuntime),
        .target(name: "TestSupport", path: "Tests/Support"),
        .testTarget(name: "PolicyTests", dependencies: ["ReconnectPolicy"]),
        .testTarget(name: "KitTests", dependencies: ["ReconnectKit", "ReconnectPolicy", "ClientSimulator", "TestSupport", .product(name: "ArgumentParser", package: "swift-argument-parser")], exclude: ["Golden"]),
        .testTarget(
            name: "EndToEndTests",
            dependencies: ["ReconnectKit", "ReconnectPolicy", "TestSupport", "altv-reconnectd", "altv-client-sim"]
        ),
    ]
)

// Coverage-guided fuzz targets (libFuzzer), one per parser of outside input: added only when
// ALTV_FUZZ is set, because they link libFuzzer's own main (`-sanitize=fuzzer`). `scripts/fuzz`
// builds and runs them; the corpus lives in Fuzz/Corpus/NAME.
if Context.environment["ALTV_FUZZ"] != nil {
    let fuzzTargets: [(name: String, dependencies: [Target.Dependency])] = [
        ("fuzz-http-response", ["ReconnectKit"]),
        ("fuzz-client-status", ["ReconnectPolicy"]),
        ("fuzz-readiness-scanner", ["ReconnectKit"]),
        ("fuzz-readiness-pattern", ["ReconnectKit"]),
        ("fuzz-duration-url", ["ReconnectPolicy", "ReconnectKit"]),
        ("fuzz-config-file", ["ReconnectKit"]),
        ("fuzz-server-toml", ["ReconnectKit"]),
        ("fuzz-pid-file", ["ReconnectKit"]),
        ("fuzz-docker-stream", ["ReconnectKit"]),
    ]
    package.targets.append(.target(name: "FuzzSupport", path: "Fuzz/Targets/FuzzSupport"))
    for target in fuzzTargets {
        package.targets.append(.executableTarget(name: target.name, dependencies: target.dependencies + ["FuzzSupport"], path: "Fuzz/Targets/\(target.name)"))
    }
}

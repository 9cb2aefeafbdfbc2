// swift-tools-version:6.0
// siamon: SiameseIM pre-training on the CPU, and the terminal UI that starts, watches and steers it.
// Dependencies point one way (docs/architecture.md §1): CBLAS → Tensor → ViT → SiamTrain; RunCore (the shared
// vocabulary) under SiamTrain and MetricsStore, which know nothing of each other; both → TUI → CursesBackend → siamon.
import PackageDescription

let argumentParser: Target.Dependency = .product(name: "ArgumentParser", package: "swift-argument-parser")
// The numeric modules are optimised in debug builds too: their pointer loops run 10–50× slower at -Onone,
// which would make `make test` (a debug build) spend minutes in kernels. Tests still get debug checks elsewhere.
let optimizedInDebug: [SwiftSetting] = [.unsafeFlags(["-O"], .when(configuration: .debug))]

let package = Package(
    name: "siamon",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "siamon", targets: ["siamon"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // System libraries (each imported by exactly one Swift module)
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CNCursesW", providers: [.apt(["libncurses-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),
        .target(name: "CStb", path: "Sources/CStb"),  // stb_image from Debian libstb-dev, compiled once in impl.c
        .target(name: "CTrap", path: "Sources/CTrap"),  // sigaction/sigaltstack: trap containment for trainer threads
        // Elementwise/attention kernels built per ISA (AVX-512, AVX2, baseline) and dispatched at run time;
        // optimised in debug builds too, like the numeric Swift modules.
        .target(name: "CKernels", path: "Sources/CKernels", exclude: ["math.inc", "attention.inc"], cSettings: [.unsafeFlags(["-O2", "-Wno-psabi"])]),

        // Core
        .target(name: "RunCore"),  // the shared vocabulary: StepReport, ReportSink, RunStatus, RunEvent, RunCommand, RunName
        .target(name: "Tensor", dependencies: ["CBLAS", "CKernels"], swiftSettings: optimizedInDebug),
        .target(name: "ViT", dependencies: ["Tensor"], swiftSettings: optimizedInDebug),
        .target(name: "SiamTrain", dependencies: ["RunCore", "ViT", "Tensor", "CZlib", "CStb", "CTrap"], swiftSettings: optimizedInDebug),
        .target(name: "MetricsStore", dependencies: ["RunCore", "Tensor", "CSQLite"]),

        // App
        .target(name: "Runs", dependencies: ["RunCore", "MetricsStore", "SiamTrain", "Tensor"]),  // the run engine
        .target(name: "TUI", dependencies: ["Runs", "RunCore", "MetricsStore", "SiamTrain", "Tensor"]),
        .target(name: "CursesBackend", dependencies: ["TUI", "CNCursesW"]),

        // Executable
        .executableTarget(name: "siamon",
                          dependencies: ["CursesBackend", "TUI", "Runs", "RunCore", "MetricsStore", "SiamTrain", "ViT", "Tensor", argumentParser]),

        // Tests
        .target(name: "TestSupport", dependencies: ["Tensor"], path: "Tests/TestSupport"),
        .target(name: "DemoSupport", dependencies: ["RunCore", "TUI"], path: "Tests/DemoSupport"),  // synthetic runs for TUI tests
        .testTarget(name: "TensorTests", dependencies: ["Tensor", "TestSupport"]),
        .testTarget(name: "ViTTests", dependencies: ["ViT", "Tensor"]),
        .testTarget(name: "SiamTrainTests", dependencies: ["RunCore", "SiamTrain", "ViT", "Tensor", "TestSupport"]),
        .testTarget(name: "MetricsStoreTests", dependencies: ["RunCore", "MetricsStore", "SiamTrain", "TestSupport"],
                    exclude: ["Snapshots"]),
        .testTarget(name: "TUITests", dependencies: ["RunCore", "Runs", "TUI", "MetricsStore", "SiamTrain", "TestSupport", "DemoSupport"],
                    exclude: ["Snapshots"]),
        // "siamon" is never imported: depending on the executable is what makes `swift build --build-tests` link the
        // binary these tests spawn (PackageImportsTests exempts executables for this reason).
        .testTarget(name: "E2ETests", dependencies: ["siamon", "TestSupport", "MetricsStore", "RunCore", "SiamTrain", "TUI"]),
    ]
)

// Fuzz targets (`make fuzz`; docs/architecture.md §5). Each is a plain executable that replays the files named on its command
// line through its LLVMFuzzerTestOneInput; built with `-Xswiftc -sanitize=fuzzer -Xswiftc -DFUZZING` it has no
// main of its own and libFuzzer drives that function instead.
package.targets.append(.target(name: "FuzzSupport"))
for (name, dependency) in [("FuzzImporter", "MetricsStore"), ("FuzzCSV", "MetricsStore"), ("FuzzSafetensors", "Tensor"), ("FuzzPreset", "SiamTrain"),
                           ("FuzzIDX", "SiamTrain"), ("FuzzTheme", "TUI")] {
    package.targets.append(.executableTarget(name: name, dependencies: [.target(name: dependency), "FuzzSupport"]))
}

// A child for the trap-containment tests (TrapProbeTests): the fault paths that must end a process.
package.targets.append(.executableTarget(name: "TrapProbe", dependencies: ["SiamTrain"]))

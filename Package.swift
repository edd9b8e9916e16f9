// swift-tools-version: 6.1
import PackageDescription

/// The LAPACK trait (on by default) links OpenBLAS and LAPACKE through the CLAPACK system
/// library target. Without it (`--disable-default-traits`) the package needs no system
/// library at all and every operation runs on the pure-Swift backend.
let lapack: TargetDependencyCondition? = .when(traits: ["LAPACK"])

let package = Package(
    name: "CareRates",
    products: [
        .executable(name: "carerates", targets: ["carerates"]),
        .executable(name: "carerates-bench", targets: ["carerates-bench"]),
        .executable(name: "carerates-fuzz", targets: ["carerates-fuzz"]),
        .library(name: "LinearAlgebra", targets: ["LinearAlgebra"]),
        .library(name: "DataTable", targets: ["DataTable"]),
        .library(name: "Regression", targets: ["Regression"]),
        .library(name: "Report", targets: ["Report"]),
        .library(name: "Comparison", targets: ["Comparison"]),
        .library(name: "Plot", targets: ["Plot"]),
        .library(name: "Notebook", targets: ["Notebook"]),
        .library(name: "CareRates", targets: ["CareRates"]),
    ],
    traits: [
        .trait(name: "LAPACK", description: "Use OpenBLAS (cblas) and LAPACKE for the heavy linear algebra."),
        .default(enabledTraits: ["LAPACK"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.0"),
        // `swift package generate-documentation` (scripts/docs.sh): a command plugin, built only when run.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(name: "CLAPACK", path: "Sources/CLAPACK"),
        // mallopt, for ProcessMemory (a header only: nothing to link).
        .systemLibrary(name: "CMalloc", path: "Sources/CMalloc"),
        .target(
            name: "LinearAlgebra", dependencies: [.target(name: "CLAPACK", condition: lapack), "CMalloc"],
            // The pure-Swift kernels use SIMD and fused multiply-add; without this, the compiler
            // targets the x86-64 baseline and every fma becomes a libm call. The binary is then
            // for the machine that builds it, which is how swift build is used here.
            swiftSettings: [.unsafeFlags(["-target-cpu", "native"])]),
        .target(name: "DataTable"),
        .target(name: "Regression", dependencies: ["LinearAlgebra", "DataTable"]),
        .target(name: "CareRates", dependencies: ["DataTable", "Regression"]),
        .target(name: "Report", dependencies: ["Regression", "Comparison", "Plot"]),
        // SVG from plain data: no model code.
        .target(name: "Plot"),
        // Markdown notebooks: parse, run through an executor the CLI gives, check.
        .target(name: "Notebook"),
        .target(name: "Comparison", dependencies: ["LinearAlgebra", "DataTable", "Regression"]),
        .executableTarget(
            name: "carerates",
            dependencies: [
                "LinearAlgebra", "DataTable", "Regression", "CareRates", "Report", "Comparison", "Plot", "Notebook",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .executableTarget(name: "carerates-bench", dependencies: ["LinearAlgebra", "DataTable", "Regression", "Comparison"]),
        .executableTarget(name: "carerates-fuzz", dependencies: ["LinearAlgebra", "DataTable", "Regression", "Notebook"]),
        // The README's Swift program, compiled and run by CLITests.
        .executableTarget(name: "carerates-example", dependencies: ["DataTable", "Regression"], path: "Examples/FitWales"),
        .testTarget(
            name: "LinearAlgebraTests",
            dependencies: ["LinearAlgebra", .product(name: "PropertyBased", package: "swift-property-based")],
            resources: [.copy("Fixtures")]),
        .testTarget(name: "DataTableTests", dependencies: ["DataTable"]),
        .testTarget(
            name: "RegressionTests", dependencies: ["Regression", "LinearAlgebra", "DataTable"],
            resources: [.copy("Fixtures")]),
        .testTarget(name: "CLITests", dependencies: ["carerates", "carerates-example"]),
        .testTarget(
            name: "ComparisonTests", dependencies: ["Comparison", "Regression", "DataTable", "LinearAlgebra"],
            resources: [.copy("Fixtures")]),
        .testTarget(name: "CareRatesTests", dependencies: ["CareRates", "DataTable"]),
        .testTarget(name: "PlotTests", dependencies: ["Plot"]),
        .testTarget(name: "NotebookTests", dependencies: ["Notebook"]),
    ]
)

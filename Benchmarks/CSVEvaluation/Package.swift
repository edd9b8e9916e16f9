// swift-tools-version: 6.1
// Evaluation of two Swift CSV libraries against CareRates' own reader (docs/csv-parser-evaluation.md).
// Not part of the CareRates build: `swift run -c release --package-path Benchmarks/CSVEvaluation`.
import PackageDescription

let package = Package(
    name: "CSVEvaluation",
    dependencies: [
        .package(name: "CareRates", path: "../.."),
        .package(url: "https://github.com/yaslab/CSV.swift", exact: "2.5.2"),
        .package(url: "https://github.com/swiftcsv/SwiftCSV", exact: "0.10.0"),
    ],
    targets: [
        .executableTarget(
            name: "csv-evaluation",
            dependencies: [
                .product(name: "DataTable", package: "CareRates"),
                .product(name: "CSV", package: "CSV.swift"),
                .product(name: "SwiftCSV", package: "SwiftCSV"),
            ],
            swiftSettings: [.swiftLanguageMode(.v5)]),
    ]
)

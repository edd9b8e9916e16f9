import Comparison
import LinearAlgebra
import Regression
import Testing

/// Rank confidence sets (Mogstad, Romano, Shaikh and Wilhelm 2024): the critical value against
/// its closed form, nesting of the marginal in the simultaneous sets, and coverage by simulation.
@Suite struct RankSetTests {
    static func identity(_ p: Int, scale: Double = 1) -> Matrix {
        var m = Matrix(rows: p, columns: p)
        for j in 0..<p { m[j, j] = scale }
        return m
    }

    /// With independent estimates of equal variance, the simultaneous single-step critical
    /// value is the studentized range quantile over sqrt(2): q(0.95; 22, inf) / sqrt(2) = 3.593
    /// (the methods note; R's qtukey(0.95, 22, Inf) / sqrt(2)). Monte Carlo error with 20,000
    /// draws is about 0.02 (the quantile's standard error); tolerance 0.06.
    @Test func criticalValueIsTheStudentizedRange() {
        let sets = RankSets(theta: [Double](repeating: 0, count: 22), covariance: Self.identity(22), draws: 20_000, seed: 5)
        #expect(abs(sets.simultaneousCritical - 3.593) < 0.06, "\(sets.simultaneousCritical)")
        // Nothing is decided among equal estimates: every set is the whole range.
        #expect(sets.simultaneousLow.allSatisfy { $0 == 1 } && sets.simultaneousHigh.allSatisfy { $0 == 22 })
    }

    @Test func wellSeparatedEstimatesAreRankedExactly() {
        let theta = (0..<8).map { Double($0) * 10 }
        let sets = RankSets(theta: theta, covariance: Self.identity(8), draws: 5_000, seed: 2)
        #expect(sets.rank == [8, 7, 6, 5, 4, 3, 2, 1])
        #expect(sets.simultaneousLow == sets.rank && sets.simultaneousHigh == sets.rank)
        #expect(sets.best(1) == [7] && sets.worst(1) == [0])
    }

    /// Simultaneous sets cover all the true ranks jointly in at least about 95% of samples;
    /// marginal sets lie inside the simultaneous ones. 300 samples of 10 units: a coverage
    /// below 0.92 would be 2.5 binomial standard errors short.
    @Test func simultaneousSetsCoverTheTrueRanks() {
        let truth = [0.0, 0.4, 0.8, 1.2, 1.6, 2.0, 2.4, 2.8, 3.2, 3.6]
        let trueRank = truth.indices.map { j in 1 + truth.indices.filter { truth[$0] > truth[j] }.count }
        var generator = SeededGenerator(seed: 99)
        var covered = 0
        let samples = 300
        for s in 0..<samples {
            let theta = truth.map { $0 + 0.5 * generator.normal() }
            let sets = RankSets(theta: theta, covariance: Self.identity(10, scale: 0.25), draws: 2_000, seed: UInt64(s + 1))
            if truth.indices.allSatisfy({ sets.simultaneousLow[$0] <= trueRank[$0] && trueRank[$0] <= sets.simultaneousHigh[$0] }) {
                covered += 1
            }
            for j in truth.indices {
                #expect(sets.simultaneousLow[j] <= sets.marginalLow[j] && sets.marginalHigh[j] <= sets.simultaneousHigh[j])
            }
        }
        #expect(Double(covered) / Double(samples) >= 0.92, "coverage \(covered) of \(samples)")
    }
}

/// The parametric bootstrap behind the rank sets: reproducible from its seed, and its variances
/// of log(O/E) at most those of the model's covariance by the delta method, which leaves out the
/// count's positive correlation with the fitted E (large for an authority of extreme covariates:
/// the bootstrap's variance is 0.57 of the delta method's for Blaenau Gwent), and near them for
/// the typical authority. 400 replicates: a variance's Monte Carlo error is about 7%, so 1.25
/// bounds the ratio and the median ratio is above 0.7.
@Suite struct BootstrapRankSetTests {
    @Test func bootstrapIsSeededAndAgreesWithTheModelsCovariance() throws {
        let fit = try ComparisonReferenceTests.welsh(kind: .swift)
        var settings = ComparisonSettings(unit: "la_name")
        (settings.leaveOneOut, settings.replicates, settings.seed, settings.rankDraws) = (false, 400, 3, 500)
        let a = try UnitComparison.compare(fit, settings: settings), b = try UnitComparison.compare(fit, settings: settings)
        #expect(a.units.map(\.rankLowSimultaneous) == b.units.map(\.rankLowSimultaneous))
        #expect(a.units.map(\.rankHigh) == b.units.map(\.rankHigh))
        var model = settings
        model.replicates = 0
        let boot = try #require(a.rankSets), delta = try #require(UnitComparison.compare(fit, settings: model).rankSets)
        #expect(boot.replicates == 400 && delta.replicates == 0)
        let ratios = boot.rank.indices.map { boot.variance[$0] / delta.variance[$0] }
        for (j, ratio) in ratios.enumerated() {
            #expect(ratio < 1.25, "unit \(j): bootstrap variance \(boot.variance[j]) against \(delta.variance[j])")
        }
        #expect(ratios.sorted()[ratios.count / 2] > 0.7, "\(ratios)")
    }

    /// The same for proportions (binomial draws of each row's trials) and for a linear model of
    /// rates (normal draws with the model's variance), with the bounds above.
    @Test(arguments: ["binomial", "linear"])
    func bootstrapOfOtherModels(model kind: String) throws {
        let table = try ComparisonModelTests.welshTable()
        let fit: any FittedModel = kind == "binomial"
            ? try GLMOptions(family: .binomial).fit(Formula("cbind(lac, notlac) ~ low + unemp"), data: table, backend: nil)
            : try LinearModelOptions().fit(Formula("rate ~ low + unemp"), data: table, backend: nil)
        var settings = ComparisonSettings(unit: "la_name", exposure: kind == "linear" ? "pop" : nil)
        (settings.leaveOneOut, settings.replicates, settings.seed, settings.rankDraws) = (false, 400, 3, 500)
        let a = try UnitComparison.compare(fit, settings: settings)
        var model = settings
        model.replicates = 0
        let boot = try #require(a.rankSets, "\(a.warnings)"), delta = try #require(UnitComparison.compare(fit, settings: model).rankSets)
        let ratios = boot.rank.indices.map { boot.variance[$0] / delta.variance[$0] }
        for (j, ratio) in ratios.enumerated() {
            #expect(ratio < 1.25, "\(kind) unit \(j): bootstrap variance \(boot.variance[j]) against \(delta.variance[j])")
        }
        #expect(ratios.sorted()[ratios.count / 2] > 0.7, "\(kind) \(ratios)")
        #expect(a.warnings.isEmpty, "\(a.warnings)")
    }
}

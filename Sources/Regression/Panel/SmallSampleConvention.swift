/// The standard errors of a fixed-effects fit.
public enum PanelStandardErrors: Sendable, Equatable {
    /// `sigma^2 (X~' X~)^{-1}` of the within-transformed design, `sigma^2` on
    /// `n - k - (levels absorbed)` degrees of freedom: the classical errors of the fit with
    /// every level's indicator.
    case classical
    /// Heteroskedasticity-consistent (HC1; HC0 under the plm convention).
    case hc1
    /// Cluster-robust by one column, or by two (Cameron, Gelbach and Miller: `V1 + V2 - V12`).
    case cluster([String])
    /// Driscoll and Kraay's errors, robust to cross-sectional and serial correlation: the
    /// Newey-West (Bartlett) covariance over the periods of `time` of each period's sum of
    /// scores, to `maxLag` lags (nil: `floor(T^(1/4))`, T the most periods of a unit, as plm's
    /// `vcovSCC` and fixest; with 4 to 10 years that is 1). No small-sample factor (plm's HC0).
    case driscollKraay(time: String, maxLag: Int?)
    /// Bell and McCaffrey's CR2 by a column, with Satterthwaite degrees of freedom per
    /// coefficient, as clubSandwich's `vcovCR(type = "CR2")` of the fit with a dummy per level
    /// (the recommended errors with few clusters, such as 22 Welsh authorities). Linear fits
    /// whose dummies fit in memory.
    case cr2(String)

    /// The columns the rows are clustered by (the time column for Driscoll-Kraay).
    public var clusterColumns: [String] {
        switch self {
        case .cluster(let c): c
        case .driscollKraay(let time, _): [time]
        case .cr2(let column): [column]
        default: []
        }
    }
}

/// How clustered standard errors of a fixed-effects fit are scaled, as the packages users
/// compare against do it. `V = a * c * (bread meat bread)`, with `a = (n - 1) / (n - K)`,
/// `c = G / (G - 1)`, t tests on the degrees of freedom named.
public enum SmallSampleConvention: String, Sendable, CaseIterable {
    /// fixest's default (`ssc(adj = TRUE, fixef.K = "nested", cluster.adj = TRUE,
    /// cluster.df = "min", t.df = "min")`) and PyFixest's: K counts the coefficients and the
    /// absorbed levels of factors not nested in a cluster factor (a nested factor's levels
    /// less its constant); with two cluster factors one `c` from the smaller G; t on `G - 1`
    /// (the smaller G).
    case fixest
    /// Stata's `reghdfe` and `xtreg, fe`: K as fixest; with two cluster factors each term of
    /// `V1 + V2 - V12` with its own `G / (G - 1)`; t on `G - 1` (the smaller G).
    case stata
    /// plm's `vcovHC(method = "arellano")` (type HC0): no `a`, no `c`; t on the residual
    /// degrees of freedom `n - k - (levels absorbed)`.
    case plm
    /// `lm` with a dummy per level and `sandwich::vcovCL(type = "HC1")`: K counts every
    /// absorbed level; t on `G - 1`.
    case lm

    /// Its description in a summary.
    var summary: String {
        switch self {
        case .fixest: "as fixest, K without levels nested in the clusters, G/(G-1) of the smaller G"
        case .stata: "as Stata's reghdfe, K without levels nested in the clusters, G/(G-1) per term"
        case .plm: "as plm's arellano, no small-sample factors"
        case .lm: "as lm with dummies, K with every level, G/(G-1) per term"
        }
    }
}

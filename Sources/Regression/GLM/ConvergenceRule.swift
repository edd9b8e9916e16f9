/// When IRLS, and the negative binomial's alternation of theta and IRLS, stop.
///
/// R's `glm.fit` stops when the relative change in deviance `|D - D_old| / (|D| + 0.1)` falls
/// below `epsilon` (1e-8). The deviance is flat at the optimum, so that leaves the coefficients
/// about `sqrt(epsilon)` of a standard error short of it, and their standard errors, computed
/// at that point, off by 1e-6 to 1e-4 relative on real data. CareRates goes on to the optimum
/// unless asked for R's rule.
public enum ConvergenceRule: Sendable, Equatable {
    /// To the optimum: once R's test at 1e-8 holds, iterate (each step solved by QR, whose
    /// rounding error is about `kappa * eps` rather than the normal equations' `kappa^2 eps`)
    /// until an iteration changes no coefficient by more than 1e-12 of its value, or the changes
    /// stop shrinking (they are then rounding, not progress). The negative binomial alternates
    /// until theta changes by at most 1e-12 relative (or stops shrinking), each theta found by
    /// Newton's method to the same standard, so theta and the coefficients are the joint maximum.
    case optimum
    /// R's own rule, `|D - D_old| / (|D| + 0.1) < epsilon`, and for the negative binomial
    /// `MASS::glm.nb`'s alternation test with the same epsilon and `theta.ml`'s step tolerance
    /// `eps^(1/4)`: `.deviance(epsilon: 1e-8)` reproduces R's default fits digit for digit.
    case deviance(epsilon: Double)

    /// The relative coefficient change below which the optimum rule is met.
    static let settled = 1e-12

    /// How the rule is described in summaries.
    public var description: String {
        switch self {
        case .optimum: "to the optimum (coefficients settled to 1e-12 relative, or to rounding)"
        case .deviance(let epsilon): "R's rule (relative change in deviance below \(epsilon))"
        }
    }

    /// The epsilon of the deviance test: the rule's own, or R's default on the way to the optimum.
    var devianceEpsilon: Double {
        if case .deviance(let epsilon) = self { return epsilon }
        return 1e-8
    }
}

/// The largest relative change between two coefficient vectors, `|a - b| / max(|a|, |b|)`
/// (0 where both are 0; aliased entries, NaN, skipped).
func largestRelativeChange(_ a: [Double], _ b: [Double]) -> Double {
    var largest = 0.0
    for (x, y) in zip(a, b) where !x.isNaN && !y.isNaN {
        let scale = max(abs(x), abs(y))
        if scale > 0 { largest = max(largest, abs(x - y) / scale) }
    }
    return largest
}

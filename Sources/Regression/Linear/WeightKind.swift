/// How a column of weights is read. The coefficients are the same either way; the number of
/// observations, and so every degree of freedom, the log likelihood and the robust errors, differ.
public enum WeightKind: String, Sendable, CaseIterable {
    /// Inverse-variance weights, as R's `lm(weights =)` and Stata's `aweight`: row i has variance
    /// `sigma^2 / w_i`, and counts once.
    case analytic
    /// Frequency weights, as Stata's `fweight`: row i stands for `w_i` identical observations
    /// (whole numbers); every statistic is that of the data with each row repeated `w_i` times.
    case frequency
}

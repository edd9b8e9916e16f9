import DataTable
import Regression

// The Welsh negative binomial model from Swift: coefficients, residuals, a refit without Torfaen.
let table = try DataTable.read(path: "datasets/wales_la_panel.csv")
let spec: any ModelSpecification = GLMOptions(family: .negbin, exposure: "population_0_15")
let fit = try spec.fit(Formula("children_looked_after ~ children_low_income_pct"), data: table, backend: nil)
for (name, (b, se)) in zip(fit.coefficientNames, zip(fit.coef, fit.standardErrors)) {
    print(name, b, se)
}
let residuals = fit.residuals(.deviance)!
print("deviance residuals of the first rows:", residuals.prefix(4))
let codes = try table.column(named: "la_code").strings
let withoutTorfaen = try fit.refit(rows: fit.frame.rows.filter { codes[$0] != "W06000020" })  // warm-started
print("without Torfaen:", withoutTorfaen.coef)

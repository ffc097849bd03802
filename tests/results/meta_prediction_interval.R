# Prediction intervals of random-effects meta-analyses, as metafor's predict(rma(...)).
# Output: meta_prediction_interval.json (next to this file).
# Run from the repository root: Rscript tests/results/meta_prediction_interval.R
#
# metafor (3.8): pi = mu +/- crit * sqrt(se(mu)^2 + tau^2), crit the normal quantile
# for test = "z" and the t quantile on k - 1 df for test = "knha" / "adhoc"; a
# fixed-effect model has none (predict() returns no pi.lb / pi.ub: stored as null).
suppressPackageStartupMessages(library(metafor))
library(jsonlite)

out_file <- file.path("tests", "results", "meta_prediction_interval.json")
dat <- escalc(measure = "OR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = dat.bcg)

# tight iteration control so that tau² is exact to ~1e-12 (metafor's default stops the
# REML / PM iterations at a change below 1e-5); one case with the defaults as well
tight <- list(threshold = 1e-12, tol = 1e-12)
fit_case <- function(label, method, test, level = 95, control = tight) {
  m <- rma(yi, vi, data = dat, method = method, test = test, level = level, control = control)
  p <- predict(m)
  if (is.null(p$pi.lb)) p$pi.lb <- p$pi.ub <- NA
  list(
    label = label, method = method, test = test, level = level,
    control = if (length(control)) control else "metafor defaults",
    estimate = as.numeric(m$beta), se = m$se, tau2 = m$tau2,
    ci_lb = p$ci.lb, ci_ub = p$ci.ub, pi_lb = p$pi.lb, pi_ub = p$pi.ub,
    pi_low_or = exp(p$pi.lb), pi_high_or = exp(p$pi.ub)
  )
}

cases <- list(
  fit_case("reml_z", "REML", "z"),
  fit_case("dl_z", "DL", "z"),
  fit_case("pm_z", "PM", "z"),
  fit_case("reml_knha", "REML", "knha"),
  fit_case("reml_adhoc", "REML", "adhoc"),
  fit_case("reml_z_90", "REML", "z", level = 90),
  fit_case("fixed", "FE", "z"),
  fit_case("reml_z_default_control", "REML", "z", control = list())
)

result <- list(
  source = paste0(
    R.version.string, ", metafor ", packageVersion("metafor"),
    ": predict(rma(yi, vi, data = dat, method, test, level, control)) with ",
    "dat <- escalc(measure = 'OR', ai = tpos, bi = tneg, ci = cpos, di = cneg, data = dat.bcg) ",
    "(BCG vaccine trials, Colditz et al. 1994; data also in meta_bcg.json); ",
    "script tests/results/meta_prediction_interval.R"
  ),
  data = list(tpos = dat.bcg$tpos, tneg = dat.bcg$tneg, cpos = dat.bcg$cpos, cneg = dat.bcg$cneg),
  cases = cases
)
write_json(result, out_file, auto_unbox = TRUE, digits = NA, pretty = TRUE, na = "null")

# Fit statistics of the reference models, for tests/test_publish.py (model_table).
# Run from the repository root:  Rscript tests/results/models_fit_statistics.R
# Writes tests/results/models_fit_statistics.json.
# R 4.2.2, MASS 7.3-58.2, survival 3.5-3, jsonlite.
#
# The data are those of tests/results/models_r_examples.json (Dobson's plant weights
# and anthers as typed in R's demo(lm.glm); MASS::housing) and survival::aml.
# Log-likelihoods are of the individual rows (the anther counts are expanded to one
# row per anther, as outcome_model sees them), AIC = -2 logLik + 2 df, BIC =
# -2 logLik + log(nobs) df with R's df (lm counts the residual variance) and R's nobs
# (coxph: the number of events).  McFadden's pseudo-R2 = 1 - logLik / logLik(null).
suppressMessages({library(MASS); library(survival); library(jsonlite)})

fit_stats <- function(fit, null = NULL) {
  ll <- logLik(fit)
  out <- list(log_likelihood = as.numeric(ll), df = attr(ll, "df"),
              aic = AIC(fit), bic = BIC(fit), nobs = nobs(fit))
  if (!is.null(null)) {
    out$null_log_likelihood <- as.numeric(logLik(null))
    out$pseudo_r2 <- 1 - as.numeric(ll) / as.numeric(logLik(null))
  }
  out
}

# plant weights: lm(weight ~ group)
ctl <- c(4.17, 5.58, 5.18, 6.11, 4.50, 4.61, 5.17, 4.53, 5.33, 5.14)
trt_a <- c(4.81, 4.17, 4.41, 3.59, 5.87, 3.83, 6.03, 4.89, 4.32, 4.69)
trt_b <- c(6.31, 5.12, 5.54, 5.50, 5.37, 5.29, 4.92, 6.15, 5.80, 5.26)
plant <- data.frame(weight = c(ctl, trt_a, trt_b),
                    group = factor(rep(c("Ctl", "A", "B"), each = 10), levels = c("Ctl", "A", "B")))
lm_fit <- lm(weight ~ group, data = plant)
plant_out <- fit_stats(lm_fit)
plant_out$r_squared <- summary(lm_fit)$r.squared

# anthers: glm(y ~ g + f, binomial) on one row per anther
n <- c(102, 99, 108, 76, 81, 90); x <- c(55, 52, 57, 55, 50, 50)
g <- c(1, 1, 1, 2, 2, 2); f <- c(40, 150, 350, 40, 150, 350)
rows <- do.call(rbind, lapply(seq_along(n), function(i)
  data.frame(y = rep(c(1, 0), c(x[i], n[i] - x[i])), g = factor(g[i], levels = 1:2), f = f[i])))
glm_fit <- glm(y ~ g + f, family = binomial, data = rows)
glm_null <- glm(y ~ 1, family = binomial, data = rows)
anther_out <- fit_stats(glm_fit, glm_null)

# housing: polr(Sat ~ Infl + Type + Cont, weights = Freq)
polr_fit <- polr(Sat ~ Infl + Type + Cont, weights = Freq, data = housing, Hess = TRUE)
polr_null <- polr(Sat ~ 1, weights = Freq, data = housing, Hess = TRUE)
housing_out <- fit_stats(polr_fit, polr_null)
housing_out$nobs <- sum(housing$Freq)
housing_out$bic <- -2 * housing_out$log_likelihood + log(sum(housing$Freq)) * housing_out$df

# aml: coxph(Surv(time, status) ~ x), Efron and Breslow
cox_efron <- coxph(Surv(time, status) ~ x, data = aml, ties = "efron")
cox_breslow <- coxph(Surv(time, status) ~ x, data = aml, ties = "breslow")

out <- list(
  description = paste(
    "Fit statistics from R 4.2.2 (stats, MASS 7.3-58.2, survival 3.5-3) for the models of",
    "models_r_examples.json and survival::aml; produced by models_fit_statistics.R beside this file."),
  plant_weight_lm = plant_out,
  anther_glm = anther_out,
  housing_polr = housing_out,
  aml_coxph_efron = fit_stats(cox_efron),
  aml_coxph_breslow = fit_stats(cox_breslow)
)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE),
           "tests/results/models_fit_statistics.json")

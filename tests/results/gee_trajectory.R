# Reference GEE fits for tests/test_trajectories.py (trajectory_model).
# Run from the repository root:  Rscript tests/results/gee_trajectory.R
# Writes tests/results/gee_trajectory.json.
# R 4.2.2, geepack 1.3.9, MASS 7.3-58.2, jsonlite 1.8.4.
#
# Data: tests/results/followup_sim_people.csv and followup_sim_waves.csv, synthetic
# follow-up waves made by tests/_followup_sim.py (simulate(300, seed=11)).  Only
# answered waves enter; gender's reference is "man"; rows sorted by participant then
# months (geepack needs each participant's rows together).  "with baseline": the
# cohort table's participant_level enters as months 0 (trajectory_model's default
# for current_level).  Robust (sandwich) standard errors throughout (geeglm's "san.se").
suppressMessages({library(geepack); library(MASS); library(jsonlite)})

people <- read.csv("tests/results/followup_sim_people.csv", stringsAsFactors = FALSE)
waves <- read.csv("tests/results/followup_sim_waves.csv", stringsAsFactors = FALSE)
waves <- waves[waves$responded == "True", ]
d <- merge(waves, people, by = "participant_id")
start <- data.frame(participant_id = people$participant_id, months = 0,
                    current_level = people$participant_level, gender = people$gender)
lev <- rbind(start, d[!is.na(d$current_level), names(start)])

prep <- function(x) {
  x$gender <- factor(x$gender, levels = c("man", "woman"))
  x$pid <- as.integer(factor(x$participant_id))
  x[order(x$pid, x$months), ]
}
sat <- prep(d[!is.na(d$career_satisfaction), ])
lev <- prep(lev)

tidy <- function(fit, extra = list()) {
  s <- summary(fit)$coefficients
  c(list(term = rownames(s), estimate = unname(s[, "Estimate"]),
         std_error = unname(s[, "Std.err"]), p_value = unname(s[, "Pr(>|W|)"]),
         nobs = nrow(fit$data)), extra)
}

ex <- geeglm(career_satisfaction ~ gender * months, id = pid, data = sat,
             family = gaussian, corstr = "exchangeable")
ind <- geeglm(career_satisfaction ~ gender * months, id = pid, data = sat,
              family = gaussian, corstr = "independence")
lev_ex <- geeglm(current_level ~ gender * months, id = pid, data = lev,
                 family = gaussian, corstr = "exchangeable")
# The ordinal GEE with independent answers solves the proportional-odds likelihood
# equations of the pooled answers, so its estimates are MASS::polr's (logit P(Y <= k)
# = zeta_k - x'beta, i.e. logit P(Y > k) = -zeta_k + x'beta).  Its robust SE is the
# GEE sandwich A^-1 B A^-1 computed here by hand: per answer the indicators
# I(Y > k), k = 1..5, with mean mu_k, derivative D and the multinomial covariance
# V_jk = min(mu_j, mu_k) - mu_j mu_k; A = sum D' V^-1 D (expected information),
# B = sum over people of U U' with U = sum D' V^-1 (y - mu).
# (geepack's ordgee(corstr = "independence") gives other estimates on these data,
# away from polr's maximum likelihood, so it is not used as the reference.)
pol <- polr(ordered(current_level) ~ gender * months, data = lev, Hess = TRUE,
            control = list(reltol = 1e-14, maxit = 5000))
X <- model.matrix(~ gender * months, data = lev)[, -1]
beta <- coef(pol)
theta <- -unname(pol$zeta)
K <- length(theta)
p <- K + ncol(X)
A <- matrix(0, p, p)
U <- matrix(0, max(lev$pid), p)
for (i in seq_len(nrow(lev))) {
  eta <- theta + sum(X[i, ] * beta)
  mu <- plogis(eta)
  D <- cbind(diag(mu * (1 - mu), K), outer(mu * (1 - mu), X[i, ]))
  V <- outer(mu, mu, pmin) - outer(mu, mu)
  y <- as.numeric(lev$current_level[i] > seq_len(K))
  Vi <- solve(V)
  A <- A + t(D) %*% Vi %*% D
  U[lev$pid[i], ] <- U[lev$pid[i], ] + t(D) %*% Vi %*% (y - mu)
}
Ainv <- solve(A)
cov_ord <- Ainv %*% crossprod(U) %*% Ainv
est <- c(theta, unname(beta))
se <- sqrt(diag(cov_ord))
ord_out <- list(term = c(paste0("I(y>", seq_len(K), ")"), names(beta)), estimate = est,
                std_error = se, p_value = 2 * pnorm(-abs(est / se)))

out <- list(
  description = paste(
    "geepack 1.3.9 (R 4.2.2) GEE fits of the synthetic waves in followup_sim_*.csv;",
    "the ordinal one: MASS::polr estimates with the GEE sandwich SE computed by hand;",
    "produced by gee_trajectory.R beside this file. Robust (sandwich) SEs."),
  satisfaction_exchangeable = tidy(ex, list(alpha = unname(summary(ex)$corr[1, 1]))),
  satisfaction_independence = tidy(ind),
  level_gaussian_exchangeable = tidy(lev_ex, list(alpha = unname(summary(lev_ex)$corr[1, 1]))),
  level_ordinal_independence = ord_out
)
writeLines(toJSON(out, auto_unbox = TRUE, digits = 15, pretty = TRUE),
           "tests/results/gee_trajectory.json")

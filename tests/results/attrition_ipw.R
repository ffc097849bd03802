# Reference inverse-probability-of-response weighted estimates for tests/test_attrition.py
# (attrition_sensitivity).  Run from the repository root:
#   Rscript tests/results/attrition_ipw.R      (writes tests/results/attrition_ipw.json)
# R 4.2.2, survey 4.1.1, jsonlite 1.8.4.
#
# Data: tests/results/followup_sim_people.csv and followup_sim_waves.csv (synthetic,
# tests/_followup_sim.py simulate(300, seed=11)); dropout is monotone.  Computed here
# from the raw rows, independently of the package:
# * outcome: promoted by the wave = promoted at any answered wave up to it;
# * response model, sequential: at wave 1 glm(answered ~ gender + participant_level)
#   over everyone; at wave k > 1 among those who answered wave k - 1, with their
#   answer at wave k - 1 as a further predictor; p = product of the fitted values;
# * stabilised weight = (share who answered the target wave) / p, truncated at the
#   1st and 99th percentiles (quantile type 7) of the weights of those who answered;
# * estimates: weighted mean and its linearisation SE from survey::svymean (design
#   ids = ~1, weights = the weights), per gender on each gender's own rows; the
#   complete-case rate and its Wilson interval from prop.test(correct = FALSE).
suppressMessages({library(survey); library(jsonlite)})

people <- read.csv("tests/results/followup_sim_people.csv", stringsAsFactors = FALSE)
waves <- read.csv("tests/results/followup_sim_waves.csv", stringsAsFactors = FALSE)
months <- sort(unique(waves$months))
people$gender <- factor(people$gender, levels = c("man", "woman"))
n <- nrow(people)
R <- matrix(FALSE, n, length(months))
Y <- matrix(NA_real_, n, length(months))
for (k in seq_along(months)) {
  w <- waves[waves$months == months[k], ]
  i <- match(w$participant_id, people$participant_id)
  ans <- w$responded == "True"
  R[i, k] <- ans
  Y[i[ans], k] <- as.numeric(w$promoted[ans] == "True")
}
ever <- t(apply(ifelse(is.na(Y), 0, Y), 1, cummax))
Y <- ifelse(R, ever, NA)

ipw <- function(t, by_gender) {
  p <- rep(1, n)
  risk <- rep(TRUE, n)
  for (k in seq_len(t)) {
    d <- data.frame(r = R[risk, k], gender = people$gender[risk],
                    level = people$participant_level[risk])
    if (k > 1) d$prev <- Y[risk, k - 1]
    fit <- glm(r ~ ., data = d, family = binomial)
    p[risk] <- p[risk] * fitted(fit)
    risk <- risk & R[, k]
  }
  ans <- R[, t]
  w <- mean(ans) / p[ans]
  q <- quantile(w, c(0.01, 0.99), type = 7)
  w <- pmin(pmax(w, q[1]), q[2])
  d <- data.frame(y = Y[ans, t], w = w, gender = people$gender[ans])
  groups <- if (by_gender) c("woman", "man") else "all"
  out <- list()
  for (g in groups) {
    dg <- if (g == "all") d else d[d$gender == g, ]
    des <- svydesign(ids = ~1, weights = ~w, data = dg)
    m <- svymean(~y, des)
    cc <- prop.test(sum(dg$y), nrow(dg), correct = FALSE)
    out[[g]] <- list(n = nrow(dg), events = sum(dg$y), complete_case = mean(dg$y),
                     cc_ci_low = cc$conf.int[1], cc_ci_high = cc$conf.int[2],
                     weighted = unname(coef(m)), weighted_se = as.numeric(SE(m)),
                     weight_min = min(dg$w), weight_max = max(dg$w))
  }
  out
}

out <- list(
  description = paste(
    "IPW (sequential logistic response models, stabilised weights truncated at the",
    "1st/99th percentiles) and complete-case estimates of 'promoted by the wave' from",
    "R 4.2.2 glm + survey 4.1.1 svymean, computed from the raw rows of",
    "followup_sim_*.csv; produced by attrition_ipw.R beside this file."),
  promoted_36_all = ipw(4, FALSE),
  promoted_24_gender = ipw(3, TRUE)
)
writeLines(toJSON(out, auto_unbox = TRUE, digits = 15, pretty = TRUE),
           "tests/results/attrition_ipw.json")

# Reference values for tests/test_interval.py: Weibull regression of interval-censored
# times, from R survival's survreg(Surv(left, right, type = "interval2") ~ x,
# dist = "weibull").
#
# Run from the repository root:  Rscript tests/results/interval_survreg.R
# Writes tests/results/interval_survreg.json.
#
# 1. Breast cosmesis (Finkelstein & Wolfe 1985; transcribed from the MLEcens package,
#    data/cosmesis.txt; right = 100 stands for infinity): treatment 0 = radiotherapy
#    alone, 1 = radiotherapy plus chemotherapy.  left = 0 (retraction before the first
#    visit) is passed to R as NA (left-censored), the same likelihood.
# 2. Simulated (set.seed below): a three-group factor and a numeric covariate, true
#    Weibull times seen at waves 6, 12, 24, 36, 60 (each answered with probability 0.7),
#    15% exact times, the rest interval- or right-censored.
suppressPackageStartupMessages({library(survival); library(jsonlite)})

cos_left <- c(
  45, 6, 0, 46, 46, 7, 17, 7, 37, 0, 4, 15, 11, 22, 46, 46, 25, 46, 26, 46, 27, 36, 46,
  36, 37, 40, 17, 46, 11, 38, 5, 37, 0, 18, 24, 36, 5, 19, 17, 24, 32, 33, 19, 37, 34, 36,
  8, 0, 24, 17, 17, 24, 16, 13, 11, 16, 18, 17, 32, 23, 44, 14, 0, 5, 12, 11, 33, 31, 13,
  19, 34, 13, 16, 35, 15, 11, 22, 10, 30, 13, 10, 8, 4, 11, 14, 4, 34, 30, 18, 16, 35, 21,
  11, 48
)
cos_right <- c(
  100, 10, 7, 100, 100, 16, 100, 14, 44, 8, 11, 100, 15, 100, 100, 100, 37, 100, 40, 100,
  34, 44, 100, 48, 100, 100, 25, 100, 18, 100, 12, 100, 5, 100, 100, 100, 11, 35, 25, 100,
  100, 100, 26, 100, 100, 100, 12, 22, 31, 27, 23, 30, 24, 100, 13, 20, 25, 26, 100, 100,
  48, 17, 5, 8, 20, 100, 40, 100, 39, 32, 100, 100, 24, 100, 22, 17, 32, 35, 34, 100, 17,
  21, 9, 100, 19, 8, 100, 36, 24, 60, 39, 100, 20, 100
)
cos_trt <- c(
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
  1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
  1, 1, 1, 1, 1, 1, 1
)

interval2 <- function(left, right) {
  Surv(ifelse(left > 0, left, NA), ifelse(is.finite(right), right, NA), type = "interval2")
}
summarise <- function(fit) {
  s <- summary(fit)$table
  list(term = rownames(s), coef = unname(s[, 1]), std_error = unname(s[, 2]),
       loglik = fit$loglik, scale = fit$scale)
}

cos_r <- ifelse(cos_right == 100, Inf, cos_right)
cos_fit <- survreg(interval2(cos_left, cos_r) ~ factor(cos_trt), dist = "weibull")

set.seed(7)
n <- 240
group <- sample(c("low", "mid", "high"), n, replace = TRUE)
x <- round(rnorm(n), 2)
lin <- 3.2 + ifelse(group == "mid", -0.3, ifelse(group == "high", -0.6, 0)) + 0.2 * x
t <- exp(lin + 0.7 * log(-log(runif(n))))
waves <- c(6, 12, 24, 36, 60)
left <- numeric(n); right <- numeric(n)
for (i in seq_len(n)) {
  seen <- waves[runif(length(waves)) < 0.7]
  if (length(seen) == 0) seen <- waves[1]
  after <- seen[seen >= t[i]]
  if (length(after) == 0) { left[i] <- max(seen); right[i] <- Inf } else {
    right[i] <- min(after)
    before <- seen[seen < t[i]]
    left[i] <- if (length(before)) max(before) else 0
  }
}
exact <- runif(n) < 0.15 & t < 60
left[exact] <- round(t[exact], 2); right[exact] <- round(t[exact], 2)
group <- factor(group, levels = c("low", "mid", "high"))
sim_fit <- survreg(interval2(left, right) ~ group + x, dist = "weibull")

out <- list(
  source = paste("R", R.version$major, ".", R.version$minor, "survival",
                 as.character(packageVersion("survival")), "survreg weibull interval2"),
  cosmesis = list(data = list(left = cos_left, right = cos_right, trt = cos_trt),
                  fit = summarise(cos_fit)),
  simulated = list(data = list(left = left, right = ifelse(is.finite(right), right, -1),
                               group = as.character(group), x = x),
                   fit = summarise(sim_fit))
)
write_json(out, "tests/results/interval_survreg.json", digits = NA, auto_unbox = TRUE,
           pretty = TRUE)

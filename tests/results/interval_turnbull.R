# Reference values for tests/test_interval.py: Turnbull's NPMLE of interval-censored data,
# from R survival's survfit(Surv(left, right, type = "interval2") ~ group).
#
# Run from the repository root:  Rscript tests/results/interval_turnbull.R
# Writes tests/results/interval_turnbull.json (R and survival versions recorded in it).
#
# Data sets
# 1. Breast cosmesis (Finkelstein & Wolfe 1985, Biometrics 41, 933-945; Finkelstein 1986,
#    Biometrics 42, 845-854): months to breast retraction of 46 patients treated with
#    radiotherapy alone (trt 0) and 48 with radiotherapy plus chemotherapy (trt 1).  The
#    interval (left, right]; right = 100 stands for infinity (not seen); left = 0 for
#    retraction before the first visit.  Transcribed from the MLEcens package
#    (data/cosmesis.txt), the same 94 rows as `bcos` of the interval package.
# 2. Simulated waves (set.seed below): true times to promotion Weibull by group, seen
#    only at waves 6, 12, 24, 36, 60 months, each wave answered with probability 0.7,
#    plus 10% of people whose exact time is known (left == right).
#
# R's survfitTurnbull iterates until the curve changes by less than 5e-5 and puts each
# drop at the middle of its Turnbull interval: the Python test compares at those times
# with a tolerance of 1e-3 (the estimate itself is checked to 1e-9 by its
# self-consistency equations in the test).
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

cosmesis <- data.frame(left = cos_left, right = ifelse(cos_right == 100, Inf, cos_right),
                       trt = cos_trt)

simulate_waves <- function(n) {
  group <- rep(c("a", "b"), length.out = n)
  shape <- 1.3
  scale <- ifelse(group == "a", 30, 45)
  t <- scale * (-log(runif(n)))^(1 / shape)
  waves <- c(6, 12, 24, 36, 60)
  left <- numeric(n); right <- numeric(n)
  for (i in seq_len(n)) {
    seen <- waves[runif(length(waves)) < 0.7]
    if (length(seen) == 0) seen <- waves[1]
    after <- seen[seen >= t[i]]
    if (length(after) == 0) {
      left[i] <- max(seen); right[i] <- Inf
    } else {
      right[i] <- min(after)
      before <- seen[seen < t[i]]
      left[i] <- if (length(before)) max(before) else 0
    }
  }
  exact <- runif(n) < 0.1 & t < 60
  left[exact] <- round(t[exact], 1); right[exact] <- round(t[exact], 1)
  data.frame(left = left, right = right, group = group)
}
set.seed(20240613)
sim <- simulate_waves(300)

turnbull <- function(d, g) {
  # interval2: NA on the right = right-censored
  fit <- survfit(Surv(d$left, ifelse(is.finite(d$right), d$right, NA), type = "interval2") ~ g)
  strata <- rep(names(fit$strata), fit$strata)
  list(group = sub("^g=", "", strata), time = fit$time, surv = fit$surv,
       n_event = fit$n.event)
}

out <- list(
  source = paste("R", R.version$major, ".", R.version$minor, "survival",
                 as.character(packageVersion("survival")), "survfit interval2 (Turnbull)"),
  cosmesis = list(data = list(left = cosmesis$left, right = cos_right, trt = cosmesis$trt),
                  fit = turnbull(cosmesis, cosmesis$trt)),
  simulated = list(data = list(left = sim$left,
                               right = ifelse(is.finite(sim$right), sim$right, -1),
                               group = sim$group),
                   fit = turnbull(sim, sim$group))
)
write_json(out, "tests/results/interval_turnbull.json", digits = NA, auto_unbox = TRUE,
           pretty = TRUE)

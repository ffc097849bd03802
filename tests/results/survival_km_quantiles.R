# Kaplan-Meier quantiles and their confidence limits, as R's survival package reads
# them off the curve.  Output: survival_km_quantiles.json (written next to this file).
# Run from the repository root: Rscript tests/results/survival_km_quantiles.R
#
# quantile.survfit() (and median.survfit) use survival:::findq: where the curve sits
# exactly at the probability over an interval, the quantile is the midpoint of that
# interval; when it sits there until the last time on the curve, the midpoint of the
# first time at that level and the last time (events or censoring).  print.survfit()
# uses a different helper (survmean's minmin) that returns the first time in the
# latter case; both are stored so the difference is visible.
library(survival)
library(jsonlite)

out_file <- file.path("tests", "results", "survival_km_quantiles.json")
probs <- c(0.25, 0.5, 0.75)

one_case <- function(label, time, status) {
  d <- data.frame(time = time, status = status)
  res <- list(label = label, time = time, status = status, conf_types = list())
  for (ct in c("log", "log-log", "plain")) {
    f <- survfit(Surv(time, status) ~ 1, data = d, conf.type = ct)
    q <- quantile(f, probs = probs)
    tab <- summary(f)$table
    res$conf_types[[ct]] <- list(
      probs = probs,
      quantile = unname(q$quantile),
      lower = unname(q$lower),
      upper = unname(q$upper),
      print_median = unname(tab["median"]),
      print_lcl = unname(tab["0.95LCL"]),
      print_ucl = unname(tab["0.95UCL"])
    )
  }
  res
}

cases <- list(
  # issue 12: four people, promoted at 2 and 4, followed up to 7 and 9
  one_case("issue12_flat_to_end", c(2, 4, 7, 9), c(1, 1, 0, 0)),
  # flat at exactly 0.5 in the middle, then drops
  one_case("flat_middle", c(1, 2, 3, 4, 5, 6), c(1, 1, 1, 0, 1, 1)),
  # flat at 0.5 to the end with three censored after
  one_case("flat_to_end_three_censored", c(1, 2, 3, 5, 6, 8), c(1, 1, 1, 0, 0, 0)),
  # reaches 0 (limits undefined at the end)
  one_case("reaches_zero", c(3, 5, 5, 8, 10), c(1, 1, 0, 1, 1)),
  # S = 0.75 exactly over a stretch, and 0.5
  one_case("quarters", c(1, 2, 4, 4, 6, 7, 9, 12), c(1, 0, 1, 1, 0, 1, 0, 0))
)
set.seed(20240612)
for (i in 1:6) {
  n <- sample(8:30, 1)
  t_event <- sample(1:36, n, replace = TRUE)
  follow <- sample(6:48, n, replace = TRUE)
  status <- as.integer(t_event <= follow)
  time <- ifelse(status == 1, t_event, follow)
  cases[[length(cases) + 1]] <- one_case(sprintf("random_%d", i), time, status)
}

result <- list(
  source = paste0(
    R.version.string, ", survival ", packageVersion("survival"),
    ": quantile(survfit(Surv(time, status) ~ 1, conf.type = ct), probs = c(.25, .5, .75)) ",
    "and summary(fit)$table (print.survfit) for each case; script tests/results/survival_km_quantiles.R"
  ),
  cases = cases
)
write_json(result, out_file, auto_unbox = TRUE, digits = NA, pretty = TRUE, na = "null")

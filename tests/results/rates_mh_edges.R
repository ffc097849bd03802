# Edges of the stratified 2 x 2 analysis (compare_rates(..., strata=)), checked against R.
# Output: rates_mh_edges.json (next to this file).
# Run from the repository root: Rscript tests/results/rates_mh_edges.R
#
# Tables are stored as strata of [[group events, group non-events],
#                                 [reference events, reference non-events]].
library(jsonlite)
library(metafor)

out_file <- file.path("tests", "results", "rates_mh_edges.json")

as_array <- function(strata) {
  # strata: named list of c(a, b, c, d); returns the 2 x 2 x K array of mantelhaen.test
  k <- length(strata)
  x <- array(0, dim = c(2, 2, k), dimnames = list(c("group", "reference"), c("event", "no_event"), names(strata)))
  for (i in seq_len(k)) x[, , i] <- matrix(strata[[i]], 2, 2, byrow = TRUE)
  x
}

mh <- function(x) {
  t <- mantelhaen.test(x)  # correct = TRUE, R's default
  delta <- sum(x[1, 1, ] - apply(x, 3, function(s) sum(s[1, ]) * sum(s[, 1]) / sum(s)))
  list(
    statistic = unname(t$statistic), p_value = t$p.value, method = t$method,
    estimate = unname(t$estimate), ci_low = t$conf.int[1], ci_high = t$conf.int[2],
    delta = delta
  )
}

strata_json <- function(strata) lapply(strata, function(v) list(v[1:2], v[3:4]))

# 1. |sum(a) - sum(E)| < 0.5: mantelhaen.test applies no continuity correction
small_delta <- list(s1 = c(2, 1, 1, 2), s2 = c(1, 2, 1, 1))
# and one just above 0.5 (the correction applies)
above_half <- list(s1 = c(3, 1, 1, 2), s2 = c(1, 2, 1, 1))
mh_cases <- list(
  c(list(label = "small_delta", strata = strata_json(small_delta)), mh(as_array(small_delta))),
  c(list(label = "above_half", strata = strata_json(above_half)), mh(as_array(above_half)))
)

# 2. infert: crude odds ratio over all records vs the Mantel-Haenszel one over the
#    83 matched sets; group = any spontaneous abortion, reference = none, event = case
d <- infert
spont <- d$spontaneous > 0
tab <- table(factor(spont, levels = c(TRUE, FALSE)), factor(d$case, levels = c(1, 0)))
crude <- tab[1, 1] * tab[2, 2] / (tab[1, 2] * tab[2, 1])
both <- tapply(spont, d$stratum, function(v) length(unique(v)) == 2)
kk <- d$stratum %in% as.integer(names(both)[both])
tab_kept <- table(factor(spont[kk], levels = c(TRUE, FALSE)), factor(d$case[kk], levels = c(1, 0)))
x_inf <- table(factor(spont, levels = c(TRUE, FALSE)), factor(d$case, levels = c(1, 0)), d$stratum)
t_inf <- mantelhaen.test(x_inf)
infert_case <- list(
  stratum = d$stratum, spontaneous_any = spont, case = d$case,
  crude_estimate = crude,
  crude_woolf_ci = exp(log(crude) + c(-1, 1) * qnorm(0.975) * sqrt(sum(1 / tab))),
  collapsed_strata_with_both_groups = tab_kept[1, 1] * tab_kept[2, 2] / (tab_kept[1, 2] * tab_kept[2, 1]),
  mh_estimate = unname(t_inf$estimate), mh_ci_low = t_inf$conf.int[1], mh_ci_high = t_inf$conf.int[2],
  mh_statistic = unname(t_inf$statistic), mh_p_value = t_inf$p.value
)

# 3. Breslow-Day (with and without Tarone's correction) on the informative strata,
#    as metafor's rma.mh (strata with both events and non-events and a positive
#    expected count are used; the others are left out of the test only)
bd <- function(label, strata) {
  x <- as_array(strata)
  m <- rma.mh(ai = x[1, 1, ], bi = x[1, 2, ], ci = x[2, 1, ], di = x[2, 2, ], measure = "OR")
  xt <- x[1, 1, ] + x[2, 1, ]
  yt <- x[1, 2, ] + x[2, 2, ]
  list(
    label = label, strata = strata_json(strata),
    mh_estimate = exp(as.numeric(m$beta)),
    BD = m$BD, BD_p_value = m$BDp, TA = m$TA, TA_p_value = m$TAp, k_pos = m$k.pos,
    informative = names(strata)[xt > 0 & yt > 0]
  )
}
rabbits <- list(
  "1/8" = c(0, 6, 0, 5), "1/4" = c(3, 3, 0, 6), "1/2" = c(6, 0, 2, 4), "1" = c(5, 1, 6, 0),
  "4" = c(2, 0, 5, 0)
)
one_no_event <- list(a = c(4, 6, 2, 8), b = c(6, 4, 3, 7), c = c(0, 5, 0, 6), d = c(9, 3, 4, 8))
migraine <- list(female = c(16, 11, 5, 20), male = c(12, 16, 7, 19))
bd_cases <- list(
  bd("Rabbits", rabbits), bd("one_stratum_without_events", one_no_event),
  bd("Migraine", migraine)
)

result <- list(
  source = paste0(
    R.version.string, ", metafor ", packageVersion("metafor"),
    ": stats::mantelhaen.test (default correct = TRUE), metafor::rma.mh(measure = 'OR') ",
    "(BD = Breslow-Day, TA = Tarone-corrected), infert from R's datasets; ",
    "script tests/results/rates_mh_edges.R"
  ),
  mantel_haenszel = mh_cases,
  infert = infert_case,
  breslow_day = bd_cases
)
write_json(result, out_file, auto_unbox = TRUE, digits = NA, pretty = TRUE, na = "null")

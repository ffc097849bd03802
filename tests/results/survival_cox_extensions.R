# Cox model extensions checked against R's survival package: strata, robust (sandwich)
# standard errors with and without clusters, and the proportional-hazards test of
# cox.zph (scaled Schoenfeld residuals).  Output: survival_cox_extensions.json.
# Run from the repository root: Rscript tests/results/survival_cox_extensions.R
library(survival)
library(jsonlite)

out_file <- file.path("tests", "results", "survival_cox_extensions.json")

# lung: complete cases for the columns used; status 2 = death -> event 1; ECOG 3 (one
# person) merged into 2
lung_d <- na.omit(survival::lung[, c("time", "status", "age", "sex", "ph.ecog", "inst")])
lung_d <- data.frame(
  time = lung_d$time, status = as.integer(lung_d$status == 2), age = lung_d$age,
  sex = factor(ifelse(lung_d$sex == 1, "male", "female"), levels = c("male", "female")),
  ecog = pmin(lung_d$ph.ecog, 2), inst = lung_d$inst
)
vet <- survival::veteran
vet_d <- data.frame(
  time = vet$time, status = vet$status, karno = vet$karno,
  celltype = factor(as.character(vet$celltype), levels = c("squamous", "smallcell", "adeno", "large")),
  trt = vet$trt
)

coef_table <- function(fit) {
  s <- summary(fit)
  cf <- s$coefficients
  out <- list(
    term = rownames(cf), coef = unname(cf[, "coef"]), se = unname(cf[, "se(coef)"]),
    z = unname(cf[, "z"]), p = unname(cf[, "Pr(>|z|)"]),
    ci_low = unname(s$conf.int[, "lower .95"]), ci_high = unname(s$conf.int[, "upper .95"]),
    lr = unname(s$logtest["test"]), lr_df = unname(s$logtest["df"]), lr_p = unname(s$logtest["pvalue"]),
    loglik = fit$loglik, n = fit$n, nevent = fit$nevent
  )
  if ("robust se" %in% colnames(cf)) out$robust_se <- unname(cf[, "robust se"])
  out
}

zph_table <- function(fit, transform = "km") {
  z <- cox.zph(fit, transform = transform)
  list(
    transform = transform, term = rownames(z$table), chisq = unname(z$table[, "chisq"]),
    df = unname(z$table[, "df"]), p = unname(z$table[, "p"])
  )
}

zph_residuals <- function(fit) {
  z <- cox.zph(fit, terms = FALSE)
  list(time = unname(z$time), x = unname(z$x), y = unname(split(z$y, col(z$y))), var = unname(z$var))
}

models <- list()
for (ties in c("efron", "breslow")) {
  f0 <- coxph(Surv(time, status) ~ age + sex, data = lung_d, ties = ties)
  models[[paste0("lung_", ties)]] <- c(
    coef_table(f0),
    list(zph = lapply(c("km", "rank", "identity", "log"), function(tr) zph_table(f0, tr)),
         zph_residuals = zph_residuals(f0))
  )
  fs <- coxph(Surv(time, status) ~ age + sex + strata(ecog), data = lung_d, ties = ties)
  models[[paste0("lung_strata_", ties)]] <- c(
    coef_table(fs), list(zph = list(zph_table(fs)), zph_residuals = zph_residuals(fs))
  )
  fr <- coxph(Surv(time, status) ~ age + sex, data = lung_d, ties = ties, robust = TRUE)
  models[[paste0("lung_robust_", ties)]] <- coef_table(fr)
  fc <- coxph(Surv(time, status) ~ age + sex + cluster(inst), data = lung_d, ties = ties)
  models[[paste0("lung_cluster_", ties)]] <- coef_table(fc)
  fsc <- coxph(Surv(time, status) ~ age + sex + strata(ecog) + cluster(inst), data = lung_d, ties = ties)
  models[[paste0("lung_strata_cluster_", ties)]] <- coef_table(fsc)
}
fv <- coxph(Surv(time, status) ~ celltype + karno + strata(trt), data = vet_d)
models[["veteran_strata_efron"]] <- c(
  coef_table(fv), list(zph = list(zph_table(fv), zph_table(fv, "rank")))
)
fvr <- coxph(Surv(time, status) ~ celltype + karno, data = vet_d, robust = TRUE)
models[["veteran_robust_efron"]] <- c(coef_table(fvr), list(zph = list(zph_table(fvr))))

result <- list(
  source = paste0(
    R.version.string, ", survival ", packageVersion("survival"),
    ": coxph() with strata(), robust = TRUE and cluster(); summary(fit) coefficients, ",
    "confidence intervals and likelihood-ratio test; cox.zph(fit, transform) table and ",
    "cox.zph(fit, terms = FALSE) scaled Schoenfeld residuals. Data survival::lung ",
    "(complete cases; status 2 -> 1; sex male/female; ph.ecog 3 merged into 2 as ecog) and ",
    "survival::veteran; script tests/results/survival_cox_extensions.R"
  ),
  lung = as.list(lung_d[, c("time", "status", "age", "ecog", "inst")]),
  lung_sex = as.character(lung_d$sex),
  veteran = list(time = vet_d$time, status = vet_d$status, karno = vet_d$karno,
                 celltype = as.character(vet_d$celltype), trt = vet_d$trt),
  models = models
)
write_json(result, out_file, auto_unbox = TRUE, digits = NA, pretty = TRUE, na = "null")

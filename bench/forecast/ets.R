#!/usr/bin/env Rscript
# Peer baseline for the forecasting benchmark: R's forecast package, one model per series.
#   Rscript ets.R TRAIN.csv FUTURE.csv SEASON METHOD OUT.csv
# METHOD is "ets" (forecast::ets with the seasonal period; R allows seasonal ETS up to period 24)
# or "stlf" (forecast::stlf: STL decomposition, ETS on the seasonally adjusted series).
# Writes series_id,date,yhat,q0.1,q0.5,q0.9: the point forecast and the ends of the 80% interval.
# A series too short for the method, or whose fit fails, falls back to a non-seasonal ets; the
# number of fallbacks is printed on stderr.
suppressPackageStartupMessages(library(forecast))

args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 5) stop("usage: ets.R TRAIN FUTURE SEASON METHOD OUT")
season <- as.integer(args[3])
method <- args[4]
if (!(method %in% c("ets", "stlf"))) stop("METHOD must be ets or stlf")

read_contract <- function(path) {
  header <- names(read.csv(path, nrows = 1))
  classes <- rep("NULL", length(header))
  classes[header %in% c("series_id", "date")] <- "character"
  classes[header == "y"] <- "numeric"
  read.csv(path, colClasses = classes)
}
train <- read_contract(args[1])
future <- read_contract(args[2])
train <- train[order(train$series_id, train$date), ]
future <- future[order(future$series_id, future$date), ]
history <- split(train$y, train$series_id)
horizon <- split(future$date, future$series_id)

fallbacks <- 0L
fit_one <- function(y, h) {
  fc <- tryCatch({
    if (method == "stlf") {
      if (length(y) <= 2 * season) stop("too short for STL")
      stlf(ts(y, frequency = season), h = h, level = 80)
    } else {
      if (season > 24) stop("seasonal ETS needs a period of at most 24")
      if (length(y) <= 2 * season) stop("too short for a seasonal ETS")
      forecast(ets(ts(y, frequency = season)), h = h, level = 80)
    }
  }, error = function(e) {
    fallbacks <<- fallbacks + 1L
    forecast(ets(ts(y, frequency = 1)), h = h, level = 80)
  })
  cbind(as.numeric(fc$mean), as.numeric(fc$lower[, 1]), as.numeric(fc$upper[, 1]))
}

rows <- lapply(names(horizon), function(s) {
  dates <- horizon[[s]]
  m <- fit_one(history[[s]], length(dates))
  data.frame(series_id = s, date = dates, yhat = m[, 1], q0.1 = m[, 2], q0.5 = m[, 1], q0.9 = m[, 3],
             check.names = FALSE)
})
out <- do.call(rbind, rows)
tmp <- paste0(args[5], ".tmp")
write.csv(out, tmp, row.names = FALSE, quote = FALSE)
invisible(file.rename(tmp, args[5]))
message(sprintf("%s: %d series, %d fallbacks", method, length(horizon), fallbacks))

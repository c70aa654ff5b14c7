# Profile likelihoods: for each parameter, 2 (NLL(c) - NLL at the
# estimate) with the others maximized, the curve whose crossing of
# qchisq(level, 1) gives the profile interval. A fit made with
# ci = "profile" has them; any other is fitted again with it.
profile.mlec <- function(fitted, which = NULL, level = fitted$level, ...) {
  if (fitted$ci != "profile" || !isTRUE(all.equal(fitted$level, level))) {
    fitted <- refit(fitted, ci = "profile", level = as.double(level))
  }
  curves <- fitted$profiles
  if (!is.null(which)) {
    unknown <- setdiff(which, names(curves))
    if (length(unknown) > 0L) usage_error(sprintf("no profile for '%s'", unknown[1]))
    curves <- curves[which]
  }
  frame <- rbind(fitted$parameters, fitted$derived)
  out <- lapply(names(curves), function(name) {
    points <- as.data.frame(curves[[name]])
    points[order(points$value), , drop = FALSE]
  })
  names(out) <- names(curves)
  structure(out, class = "profile.mlec", level = level, estimates = frame[names(curves), "estimate"],
            intervals = frame[names(curves), c("ci_lower", "ci_upper")])
}

# One panel per profile: the curve, the cutoff qchisq(level, 1), the
# estimate and the interval's ends.
plot.profile.mlec <- function(x, which = names(x), ...) {
  cutoff <- stats::qchisq(attr(x, "level"), 1)
  estimates <- stats::setNames(attr(x, "estimates"), names(x))
  intervals <- attr(x, "intervals")
  rownames(intervals) <- names(x)
  if (length(which) > 1L) {
    old <- graphics::par(mfrow = grDevices::n2mfrow(length(which)))
    on.exit(graphics::par(old))
  }
  for (name in which) {
    points <- x[[name]]
    graphics::plot(points$value, points$deviance, type = "l", xlab = name,
                   ylab = "2 (NLL - NLL at the estimate)", main = name, ...)
    graphics::abline(h = cutoff, lty = 2)
    graphics::abline(v = estimates[[name]], lty = 3)
    graphics::abline(v = unlist(intervals[name, ]), col = "grey40")
  }
  invisible(x)
}

# mlec's failures as R conditions. The message is the text the mlec command
# prints (positioned, with the source line and a caret), so a user can paste
# it into an issue unchanged; the class says which input is at fault.

mlec_condition <- function(class, message, base = "error", ...) {
  structure(class = c(class, paste0("mlec_", base), base, "condition"),
            list(message = message, call = NULL, ...))
}

# An answer of the native code, or the condition it describes.
# (error_class: "mlec_model_error", "mlec_data_error" or "mlec_usage_error")
native_answer <- function(answer) {
  if (!is.null(answer$error_class)) {
    stop(mlec_condition(answer$error_class, answer$message, line = answer$line, column = answer$column))
  }
  answer
}

usage_error <- function(message) stop(mlec_condition("mlec_usage_error", message))

/* The exit codes of the mlec command: the one table, in C so that every
 * user reads the same definition. The command exits with them
 * (cli/main.cpp), mlec::exit_code chooses them for diagnostics and fits
 * (api/exit_code.cpp), the C API returns them as its error codes
 * (mlec/mlec.h), and README.md's "Exit codes" documents them
 * (tests/test_cli.cpp checks that it lists exactly the command's codes).
 * A script can tell what went wrong without parsing the messages. */
#ifndef MLEC_EXIT_CODES_H
#define MLEC_EXIT_CODES_H

enum {
    MLEC_OK = 0,
    MLEC_ERROR_USAGE = 1,        /* a bad argument (NULL, invalid options) or a file that cannot be opened */
    MLEC_ERROR_MODEL = 2,        /* the model has an error (syntax or meaning) */
    MLEC_ERROR_DATA = 3,         /* the data have an error */
    MLEC_ERROR_FIT = 4,          /* no maximum was found, or none exists (mlec_fit_exit_code) */
    MLEC_FIT_NOT_IDENTIFIED = 5, /* a maximum, but some standard errors are withheld (a flat direction) */
    MLEC_ERROR_INTERNAL = 70     /* an unexpected failure inside mlec (e.g. out of memory); never an exit code
                                    of the command (70 is EX_SOFTWARE of sysexits.h) */
};

#endif /* MLEC_EXIT_CODES_H */

"""One module per ``ermsolve`` subcommand; each defines ``add_parser(subparsers)``."""

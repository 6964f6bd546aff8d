"""One module per ``ermsolve`` subcommand; each defines ``add_parser(subparsers)``."""


def proof_path_for(args, suffix: str) -> str | None:
    """Where ``--proof`` writes its proof: beside ``--certificate``, which it requires."""
    from ..errors import UsageError

    if not args.proof:
        return None
    if not args.certificate:
        raise UsageError("--proof needs --certificate (the proof is written beside it)")
    return args.certificate + suffix

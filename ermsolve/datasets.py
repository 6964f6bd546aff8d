"""Real data: turning a CSV table into an ``ermbit/1`` instance.

The conversion is exact; no floating-point value is created.

1. **Reading.**  The CSV has a header row of column names; every other row is one example.
   Feature cells are parsed from their text with :func:`ermsolve.rationals.parse_rational`
   (``"5.1"`` is exactly 51/10; integers, fractions ``"3/4"`` and ``"1e-3"`` are accepted).
2. **Two-class target.**  A row whose label cell equals ``positive`` gets the target ``1``;
   a row whose label equals ``negative`` gets ``-1``.  With ``negative=None`` every label
   other than ``positive`` counts as negative.  Rows of any other class are dropped.
3. **Row selection** (data rows are numbered from 0, the header not counted):

   * ``rows="all"`` (or ``None``): every row of the two classes, in file order;
   * ``rows=N``: ``N`` rows taken alternately from the positive and the negative class,
     positive first, each class in file order; when one class runs out the other fills the
     rest.  So ``N=8`` gives four of each when both have four.  With ``seed`` set, each
     class's rows are first shuffled by ``random.Random(seed)`` (reproducible on one Python
     version; file order is the portable choice);
   * ``row_indices=[i, ...]``: exactly those rows, in that order (each must be of one of the
     two classes; no repeats).

4. **Quantization.**  Each feature value ``x`` becomes ``k / 2**frac_bits`` with
   ``k = round_half_even(x * scale * 2**frac_bits)``: the nearest grid point, and of two
   equally near ones the one with even ``k``.  ``scale`` is an exact rational (default 1).
   Example with ``frac_bits=3``: ``0.15 -> 1/8`` (1.2 rounds to 1), ``0.1875 -> 1/4``
   (1.5 ties to 2), ``0.3125 -> 1/4`` (2.5 ties to 2), ``-0.0625 -> 0`` (-0.5 ties to 0).

The network is ``layers = [len(features), *hidden, 1]`` with ``activation`` on the hidden
layers and the identity on the output.

Limitations: no standardisation or centering (use ``scale`` for a common exact factor); one
output only (two classes); the whole file is read into memory.
"""

from __future__ import annotations

import csv
import json
import os
import random
from dataclasses import dataclass

from gmpy2 import mpq

from .activations import parse_activation
from .errors import InstanceError
from .rationals import parse_rational, to_str

FORMAT = "ermbit/1"
LOSSES = ("squared", "absolute", "max_abs", "zero_one")
DOMAIN_SPECS = ("fixed:BITS:FRAC_BITS", "rational:NUM_BITS:DEN_BITS", "set:V1,V2,...")


@dataclass(frozen=True)
class Table:
    """A CSV read as text: ``header`` the column names, ``rows`` the data cells (row ``i``
    of ``rows`` is line ``i + 2`` of the file)."""

    path: str
    header: list[str]
    rows: list[list[str]]

    def column(self, name: str) -> int:
        """Index of the column ``name``; :class:`InstanceError` naming the valid ones."""
        if name not in self.header:
            raise InstanceError(f"no column {name!r}; columns are {', '.join(self.header)}",
                                self.path)
        return self.header.index(name)

    def where(self, row: int, column: int) -> str:
        """Place of a cell for messages: file, line, data row and column name."""
        return f"{self.path}, line {row + 2} (data row {row}), column {self.header[column]!r}"


def read_table(path: str | os.PathLike) -> Table:
    """Read ``path`` as a CSV with a header row; blank lines are skipped and every row must
    have as many cells as the header."""
    path = os.fspath(path)
    try:
        with open(path, newline="", encoding="utf-8") as f:
            lines = list(csv.reader(f))
    except OSError as e:
        raise InstanceError(f"cannot read CSV file: {e.strerror or e}", path) from e
    except (UnicodeDecodeError, csv.Error) as e:
        raise InstanceError(f"not a readable UTF-8 CSV file: {e}", path) from e
    numbered = [(n, [c.strip() for c in cells]) for n, cells in enumerate(lines, 1) if cells]
    if not numbered:
        raise InstanceError("CSV file is empty (a header row is needed)", path)
    (_, header), body = numbered[0], numbered[1:]
    for n, cells in body:
        if len(cells) != len(header):
            raise InstanceError(f"line {n} has {len(cells)} cells, the header has "
                                f"{len(header)}", path)
    return Table(path, header, [cells for _, cells in body])


def round_half_even(q: mpq) -> int:
    """The integer nearest to ``q``; an exact tie goes to the even neighbour."""
    q = mpq(q)
    low = int(q.numerator // q.denominator)
    twice_rest = 2 * (q - low)  # in [0, 2)
    if twice_rest > 1 or (twice_rest == 1 and low % 2 == 1):
        return low + 1
    return low


def quantize(x: mpq, frac_bits: int, scale: mpq | None = None) -> mpq:
    """``round_half_even(x * scale * 2**frac_bits) / 2**frac_bits``; ``scale`` defaults
    to 1 (module docstring, step 4)."""
    unit = mpq(2) ** frac_bits
    factor = mpq(1) if scale is None else mpq(scale)
    return mpq(round_half_even(mpq(x) * factor * unit), unit)


def class_targets(table: Table, label_column: str, positive: str,
                  negative: str | None) -> dict[int, str]:
    """Map each data row of the two classes to its target ``"1"`` or ``"-1"``."""
    col = table.column(label_column)
    labels = [row[col] for row in table.rows]
    for name in (positive, negative):
        if name is not None and name not in labels:
            raise InstanceError(f"no row has class {name!r} in column {label_column!r}; "
                                f"classes are {', '.join(sorted(set(labels)))}", table.path)
    if negative == positive:
        raise InstanceError(f"positive and negative class are both {positive!r}", table.path)
    out = {}
    for i, label in enumerate(labels):
        if label == positive:
            out[i] = "1"
        elif negative is None or label == negative:
            out[i] = "-1"
    return out


def select_rows(targets: dict[int, str], rows: int | str | None = None,
                row_indices: list[int] | None = None, seed: int | None = None,
                path: str | None = None) -> list[int]:
    """Data-row numbers chosen by the rule of the module docstring (step 3)."""
    if row_indices is not None:
        return _explicit_rows(targets, row_indices, path)
    if rows is None or rows == "all":
        return sorted(targets)
    if isinstance(rows, bool) or not isinstance(rows, int) or rows < 1:
        raise InstanceError(f"rows must be a positive integer or 'all', got {rows!r}", path)
    if rows > len(targets):
        raise InstanceError(f"{rows} rows requested but the two classes have only "
                            f"{len(targets)}", path)
    pos = [i for i in sorted(targets) if targets[i] == "1"]
    neg = [i for i in sorted(targets) if targets[i] == "-1"]
    if seed is not None:
        rng = random.Random(seed)
        rng.shuffle(pos)
        rng.shuffle(neg)
    return _alternate(pos, neg)[:rows]


def _alternate(first: list[int], second: list[int]) -> list[int]:
    out = []
    for k in range(max(len(first), len(second))):
        out.extend(lst[k] for lst in (first, second) if k < len(lst))
    return out


def _explicit_rows(targets: dict[int, str], row_indices: list[int],
                   path: str | None) -> list[int]:
    if not row_indices:
        raise InstanceError("row_indices is empty", path)
    seen = set()
    for i in row_indices:
        if i not in targets:
            raise InstanceError(f"data row {i} is missing or of neither class", path)
        if i in seen:
            raise InstanceError(f"data row {i} is selected twice", path)
        seen.add(i)
    return list(row_indices)


def parse_domain(spec: str) -> dict:
    """The domain dict of a CLI spec ``fixed:B:F``, ``rational:A:C`` or ``set:v1,v2,...``."""
    kind, _, rest = spec.strip().partition(":")
    if kind == "set":
        values = [v for v in rest.split(",") if v.strip()]
        return check_domain({"type": "set", "values": values})
    parts = rest.split(":")
    keys = {"fixed": ("bits", "frac_bits"), "rational": ("num_bits", "den_bits")}.get(kind)
    if keys is None or len(parts) != 2 or not all(p.strip().isdigit() for p in parts):
        raise InstanceError(f"bad domain spec {spec!r}; expected one of "
                            f"{', '.join(DOMAIN_SPECS)} (B, F, A, C non-negative integers)",
                            "--domain")
    return check_domain({"type": kind, keys[0]: int(parts[0]), keys[1]: int(parts[1])})


def check_domain(domain: dict) -> dict:
    """Validate a domain dict and return it in canonical form (set values as reduced
    rational strings, sorted and distinct)."""
    if not isinstance(domain, dict):
        raise InstanceError("domain must be a dict", "domain")
    kind = domain.get("type")
    if kind == "set":
        raw = domain.get("values")
        if not isinstance(raw, list) or not raw:
            raise InstanceError("a set domain needs a non-empty list 'values'", "domain")
        values = sorted({parse_rational(v, "domain.values") for v in raw})
        return {"type": "set", "values": [to_str(v) for v in values]}
    keys = {"fixed": ("bits", "frac_bits"), "rational": ("num_bits", "den_bits")}.get(kind)
    if keys is None:
        raise InstanceError(f"unknown domain type {kind!r}; expected fixed, rational or set",
                            "domain")
    first, second = (domain.get(k) for k in keys)
    if not _is_int(first) or first < 1 or not _is_int(second) or second < 0:
        raise InstanceError(f"a {kind} domain needs integers {keys[0]} >= 1 and "
                            f"{keys[1]} >= 0, got {first!r} and {second!r}", "domain")
    if kind == "rational" and second < 1:
        raise InstanceError("a rational domain needs den_bits >= 1", "domain")
    return {"type": kind, keys[0]: first, keys[1]: second}


def _is_int(x: object) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def csv_to_instance(csv_path: str | os.PathLike, *, features: list[str], positive: str,
                    frac_bits: int, layers_hidden: list[int], domain: dict,
                    label_column: str = "class", negative: str | None = None,
                    rows: int | str | None = "all", row_indices: list[int] | None = None,
                    seed: int | None = None, scale: str | int | mpq = 1,
                    activation: str = "relu", loss: str = "zero_one",
                    threshold: str | int | mpq = 0, name: str | None = None) -> dict:
    """Build an ``ermbit/1`` instance dict from ``csv_path`` (see the module docstring).

    Raises :class:`InstanceError` naming the file, row and column of any bad input.
    """
    table = read_table(csv_path)
    cols = _feature_columns(table, features, label_column)
    targets = class_targets(table, label_column, positive, negative)
    chosen = select_rows(targets, rows, row_indices, seed, table.path)
    net = _architecture(len(cols), layers_hidden, frac_bits, activation)
    scale_q = parse_rational(scale, "scale")
    if scale_q <= 0:
        raise InstanceError(f"scale must be positive, got {to_str(scale_q)}", "scale")
    inputs = [[to_str(quantize(parse_rational(table.rows[i][c], table.where(i, c)),
                               frac_bits, scale_q)) for c in cols] for i in chosen]
    return {
        "format": FORMAT,
        "name": name or _default_name(table.path, positive, negative),
        "architecture": net,
        "domain": check_domain(domain),
        "data": {"inputs": inputs, "targets": [[targets[i]] for i in chosen]},
        "loss": _check_loss(loss),
        "threshold": _check_threshold(threshold),
    }


def _feature_columns(table: Table, features: list[str], label_column: str) -> list[int]:
    if not features:
        raise InstanceError("at least one feature column is needed", table.path)
    if len(set(features)) != len(features):
        raise InstanceError(f"a feature is listed twice in {features}", table.path)
    if label_column in features:
        raise InstanceError(f"the label column {label_column!r} cannot be a feature",
                            table.path)
    return [table.column(f) for f in features]


def _architecture(width_in: int, hidden: list[int], frac_bits: int, activation: str) -> dict:
    if not _is_int(frac_bits) or frac_bits < 0:
        raise InstanceError(f"frac_bits must be an integer >= 0, got {frac_bits!r}",
                            "frac_bits")
    if not all(_is_int(w) and w >= 1 for w in hidden):
        raise InstanceError(f"hidden widths must be integers >= 1, got {hidden!r}", "hidden")
    act = parse_activation(activation, "activation")
    return {"layers": [width_in, *hidden, 1], "activation": act.name,
            "output_activation": "identity"}


def _check_loss(loss: str) -> str:
    if loss not in LOSSES:
        raise InstanceError(f"unknown loss {loss!r}; expected one of {', '.join(LOSSES)}",
                            "loss")
    return loss


def _check_threshold(threshold: str | int | mpq) -> str:
    value = parse_rational(threshold, "threshold")
    if value < 0:
        raise InstanceError(f"threshold must be >= 0, got {to_str(value)}", "threshold")
    return to_str(value)


def _default_name(path: str, positive: str, negative: str | None) -> str:
    stem = os.path.splitext(os.path.basename(path))[0]
    return f"{stem}_{positive}_vs_{negative or 'rest'}"


def format_json(obj: object, depth: int = 0) -> str:
    """JSON text with one key per line and one line per innermost list (so a data row stays
    on one line); ``json.loads(format_json(x)) == x``."""
    pad, inner = "  " * depth, "  " * (depth + 1)
    if isinstance(obj, dict) and obj:
        items = [f"{inner}{json.dumps(k)}: {format_json(v, depth + 1)}" for k, v in obj.items()]
        return "{\n" + ",\n".join(items) + f"\n{pad}}}"
    if isinstance(obj, list) and any(isinstance(x, (list, dict)) for x in obj):
        items = [inner + format_json(x, depth + 1) for x in obj]
        return "[\n" + ",\n".join(items) + f"\n{pad}]"
    return json.dumps(obj)


def write_json_atomic(obj: dict, path: str | os.PathLike) -> None:
    """Write ``obj`` as :func:`format_json` text to ``path`` atomically (mode 0644; see
    :func:`ermsolve.fileio.atomic_write_text`): a reader never sees a half-written file,
    and an unwritable path is an :class:`~ermsolve.fileio.OutputError`."""
    from .fileio import atomic_write_text

    atomic_write_text(os.fspath(path), format_json(obj) + "\n")


def add_parser(subparsers) -> object:
    """Register the ``from-csv`` subcommand on an ``argparse`` subparsers object; the parsed
    namespace carries ``func=run_from_csv``."""
    p = subparsers.add_parser("from-csv", help="build an ermbit/1 instance from a CSV table",
                              description=__doc__.split("\n\n")[0])
    p.add_argument("csv", metavar="CSV", help="CSV file with a header row")
    p.add_argument("--features", required=True, help="comma list of feature columns")
    p.add_argument("--label-column", default="class", help="class column (default: class)")
    p.add_argument("--positive", required=True, help="class mapped to target 1")
    p.add_argument("--negative", default=None,
                   help="class mapped to target -1 (default: every other class)")
    p.add_argument("--rows", default="all",
                   help="N rows alternating positive/negative in file order, or 'all'")
    p.add_argument("--row-indices", default=None,
                   help="comma list of 0-based data rows (overrides --rows)")
    p.add_argument("--seed", type=int, default=None, help="shuffle each class before --rows")
    p.add_argument("--frac-bits", type=int, required=True,
                   help="features rounded half-to-even to multiples of 2**-F")
    p.add_argument("--scale", default="1", help="exact rational factor before rounding")
    p.add_argument("--hidden", required=True,
                   help="comma list of hidden-layer widths ('' for none)")
    p.add_argument("--activation", default="relu", help="hidden activation (default: relu)")
    p.add_argument("--domain", required=True, help=" | ".join(DOMAIN_SPECS))
    p.add_argument("--loss", default="zero_one", choices=LOSSES)
    p.add_argument("--threshold", default="0", help="rational loss threshold (default: 0)")
    p.add_argument("--name", default=None, help="instance name (default: FILE_POS_vs_NEG)")
    p.add_argument("-o", "--output", default="-", help="output JSON file ('-': stdout)")
    p.set_defaults(func=run_from_csv)
    return p


def run_from_csv(args) -> int:
    """Run ``from-csv`` on a parsed namespace: build the instance and write it (atomically
    when ``-o`` names a file).  Returns 0; bad input raises :class:`InstanceError`."""
    instance = csv_to_instance(
        args.csv, features=_names(args.features), label_column=args.label_column,
        positive=args.positive, negative=args.negative, rows=_rows(args.rows),
        row_indices=_int_list(args.row_indices, "--row-indices"), seed=args.seed,
        frac_bits=args.frac_bits, scale=args.scale,
        layers_hidden=_int_list(args.hidden, "--hidden") or [],
        activation=args.activation, domain=parse_domain(args.domain), loss=args.loss,
        threshold=args.threshold, name=args.name)
    if args.output == "-":
        print(format_json(instance))
    else:
        write_json_atomic(instance, args.output)
    return 0


def _names(text: str) -> list[str]:
    return [t.strip() for t in text.split(",") if t.strip()]


def _int_list(text: str | None, option: str) -> list[int] | None:
    if text is None:
        return None
    try:
        return [int(t) for t in _names(text)]
    except ValueError as e:
        raise InstanceError(f"expected a comma list of integers, got {text!r}", option) from e


def _rows(text: str) -> int | str:
    if text.strip() == "all":
        return "all"
    try:
        return int(text)
    except ValueError as e:
        raise InstanceError(f"expected a positive integer or 'all', got {text!r}",
                            "--rows") from e

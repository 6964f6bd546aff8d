"""The hardness chain: #SubsetSum → straight-line program → ``square`` network → a count in
the bits of an exact loss gradient (``docs/hardness.md`` walks through it).

* :mod:`.slp` — straight-line programs: representation, ``slp/1`` text, exact evaluation,
  bit extraction;
* :mod:`.subset_sum` — the SLP of ``∏ (1 + X**a_i)`` at ``X = 2**N`` and brute force;
* :mod:`.to_network` — an SLP as an ``ermbit/1`` network of ``square`` units, and the
  instance whose gradient is twice the SLP's value;
* :mod:`.backprop` — exact rational backpropagation for every activation and loss;
* :mod:`.chain` — the whole chain with three independent counts (``ermsolve reduce``).
"""

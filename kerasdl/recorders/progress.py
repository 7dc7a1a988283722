"""The counters a recorder keeps during one `fit`, with the rules that tie them together.

Example:
    >>> p = Progress(last_step=-1)
    >>> p.advance(2), p.batches, p.pending   # steps_per_execution=3: batches 0..2 in one call
    (3, 3, 3)
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Progress:
    """How far one `fit` call's recording has got; a recorder makes a fresh one in `on_train_begin`.

    Invariants:
        * Every buffer row for an optimizer step `<= last_step` is in the history
          (or was lost to a full buffer, with a warning); no later row is.
        * `pending` counts the batches run since the buffer was last read, so
          `ceil((pending + steps_per_execution) / every) + 1 >= capacity` means
          the next execution could overwrite unread rows: read first.
        * `last_batch` is the index of the last batch reported in this epoch
          (-1 at its start); `batches` counts the batches of the whole fit.
        * `calls` is the loss-scale train-step counter at the last read (0
          without loss scaling); `calls` minus the updates since then is the
          number of steps loss scaling skipped.
    """

    last_step: int = -1
    calls: int = 0
    pending: int = 0
    last_batch: int = -1
    batches: int = 0

    def advance(self, batch: int) -> int:
        """Note that batch index `batch` ended; returns how many batches that was (steps_per_execution)."""
        done = batch - self.last_batch
        self.last_batch = batch
        self.pending += done
        self.batches += done
        return done

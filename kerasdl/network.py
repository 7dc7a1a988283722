"""A quick, bounded check of whether a download host can be reached.

Downloads (TFDS data, ImageNet weights) would otherwise hang for minutes or
end in a raw socket traceback on a machine without internet. Callers check
first and raise a message that says what to do instead.

Example:
    >>> from kerasdl.network import can_reach
    >>> isinstance(can_reach("localhost", port=9, timeout=0.5), bool)
    True
"""

from __future__ import annotations

import socket
import threading


def can_reach(host: str, port: int = 443, timeout: float = 3.0) -> bool:
    """Return True if a TCP connection to `host:port` opens within `timeout` seconds.

    Name resolution has no timeout of its own, so the whole attempt runs in
    a daemon thread and is abandoned after `timeout`.

    Args:
        host: Host name or address.
        port: TCP port.
        timeout: Seconds to wait in total.

    Returns:
        Whether the connection opened.

    Example:
        >>> can_reach("127.0.0.1", port=1, timeout=0.5)
        False
    """
    result = {"ok": False}

    def attempt() -> None:
        try:
            with socket.create_connection((host, port), timeout=timeout):
                result["ok"] = True
        except OSError:
            pass

    worker = threading.Thread(target=attempt, daemon=True)
    worker.start()
    worker.join(timeout)
    return result["ok"]

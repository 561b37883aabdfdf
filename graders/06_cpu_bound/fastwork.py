"""A fast stand-in for work.fib, so that graders can send the contract's top edge (n = 35)
without waiting seconds for the naive recursion. It lives in a module of its own so that a
pool's worker process can import it by name (pickle sends functions by reference)."""


def fib(n: int) -> int:
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a


def stand_in(submission) -> None:
    """Make the submission's fib (``from work import fib``, or ``work.fib``) the fast one."""
    import sys

    work = sys.modules.get("work")
    original = getattr(work, "fib", None)
    if work is not None:
        work.fib = fib
    if original is not None and getattr(submission, "fib", None) is original:
        submission.fib = fib

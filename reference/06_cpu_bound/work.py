"""CPU-bound work, given to you (not a task): leave this file as it is.

``fib(n)`` is the naive recursive Fibonacci: no I/O, no waiting, just millions of Python
function calls. fib(30) takes a few tenths of a second, fib(35) several seconds.
"""


def fib(n: int) -> int:
    return n if n < 2 else fib(n - 1) + fib(n - 2)

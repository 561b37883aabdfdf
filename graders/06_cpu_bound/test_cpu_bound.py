"""Public graders for 06_cpu_bound.

Three kinds of evidence, none of them wall-clock timings:
- event-loop lag measured from inside the loop (LoopLagMonitor): inline CPU work freezes
  the loop for as long as fib runs; a thread or a process keeps it free;
- the CPU time the *grading process itself* spends while a request computes: a thread runs
  fib in this process (CPU time ≈ the whole computation), a process pool runs it elsewhere
  (CPU time ≈ a few milliseconds of bookkeeping);
- the ProcessPoolExecutors the app builds and hands work to, and their worker processes,
  seen as children of this process (see pools.py: the same under every start method).
Thresholds are scaled by how long fib takes on this machine (measured by the grader on its
own thread, over many ticks of its CPU clock), so a fast, a busy or a coarse-clocked
machine does not change the verdict.
"""

import asyncio
import time

from grading import LoopLagMonitor, app_client, check, expect_status, graded

from conftest import children, clock_tick, fib, fib_cpu_seconds, gone, record_pools


@graded(points=1, task=2, hint="Return {\"n\": n, \"result\": <fib(n)>}; the work itself belongs in the pool.")
async def test_fibonacci_returns_n_and_result(submission, client, blocking):
    for n, want in ((0, 0), (1, 1), (10, 55), (20, 6765)):
        response = await client.get(f"/fibonacci/{n}")
        expect_status(response, 200, client.errors)
        check(response.json() == {"n": n, "result": want}, f"GET /fibonacci/{n} returned {response.json()}",
              f'{{"n": {n}, "result": {want}}}')
    blocking.assert_none("while serving GET /fibonacci/...")


@graded(points=3, task=2, hint="fib is pure CPU: calling it inside `async def` holds the event loop until it "
        "returns. `await loop.run_in_executor(pool, fib, n)` runs it elsewhere while the loop keeps serving.")
async def test_loop_stays_responsive_while_fibonacci_32_computes(submission, client):
    warm = await client.get("/fibonacci/15")  # the pool may start its workers on first use
    expect_status(warm, 200, client.errors)
    inline = fib_cpu_seconds(32)
    async with LoopLagMonitor() as lag:
        response, health = await asyncio.gather(client.get("/fibonacci/32"), _health_soon(client))
        await asyncio.sleep(0.03)  # let the monitor record a late tick
    expect_status(response, 200, client.errors)
    check(response.json() == {"n": 32, "result": 2178309}, f"GET /fibonacci/32 returned {response.json()}",
          '{"n": 32, "result": 2178309}')
    expect_status(health, 200, client.errors)
    check(health.json() == {"status": "ok"}, f"GET /health returned {health.json()}", '{"status": "ok"}')
    limit = inline / 2
    check(lag.max_lag < limit,
          f"while GET /fibonacci/32 computed, the event loop was frozen for {lag.max_lag:.2f} s at once "
          f"(fib(32) takes about {inline:.2f} s here): /health and every other request had to wait",
          f"the loop free while fib runs (frozen for less than {limit:.2f} s)",
          "Async code only helps while it awaits; CPU work never awaits. Hand it to the process pool.")


async def _health_soon(client):
    await asyncio.sleep(0.02)  # GET /fibonacci/32 goes first
    return await client.get("/health")


@graded(points=3, task=2, hint="A thread keeps the loop free, but the CPU work still runs in this process, "
        "one thread at a time (the GIL). `loop.run_in_executor(pool, fib, n)` with a ProcessPoolExecutor runs "
        "it in another process, truly in parallel.")
async def test_fibonacci_runs_in_a_process_pool(submission, client):
    warm = await client.get("/fibonacci/15")  # the pool may start its workers on first use
    expect_status(warm, 200, client.errors)
    # n large enough that fib(n) costs 20 ticks of the process's CPU clock (15.6 ms on Windows)
    tick, n = clock_tick(time.process_time), 30
    while n < 33 and fib_cpu_seconds(n) < 20 * tick:
        n += 1
    inline = fib_cpu_seconds(n)
    before = time.process_time()
    response = await client.get(f"/fibonacci/{n}")
    spent = time.process_time() - before
    expect_status(response, 200, client.errors)
    check(response.json() == {"n": n, "result": fib(n)}, f"GET /fibonacci/{n} returned {response.json()}",
          f'{{"n": {n}, "result": {fib(n)}}}')
    limit = inline * 0.3
    check(spent < limit,
          f"the server's own process spent {spent:.2f} s of CPU serving GET /fibonacci/{n}, about what fib({n}) "
          f"costs ({inline:.2f} s here): fib ran inside the server's process (on the loop or in a thread)",
          f"fib({n}) computed by another process: the server itself spends almost no CPU (under {limit:.2f} s)",
          "Create a concurrent.futures.ProcessPoolExecutor in lifespan and `await "
          "asyncio.get_running_loop().run_in_executor(pool, fib, n)`.")


@graded(points=2, task=1, hint="Create the ProcessPoolExecutor once in lifespan before `yield` (not per "
        "request), and shut it down after `yield`: `pool.shutdown()` or a `with` block around the yield.")
async def test_pool_outlives_requests_and_is_shut_down_on_exit(submission, exercise_dir):
    earlier = children()
    with record_pools() as pools:
        async with app_client(submission.app, [exercise_dir]) as client:
            for n, want, stage in ((20, 6765, "GET /fibonacci/20"), (21, 10946, "GET /fibonacci/21")):
                pools.stage = stage
                response = await client.get(f"/fibonacci/{n}")
                expect_status(response, 200, client.errors)
                check(response.json() == {"n": n, "result": want}, f"{stage} returned {response.json()}",
                      f'{{"n": {n}, "result": {want}}}')
                built = pools.built_in(stage)
                check(not built, f"serving {stage} created {len(built)} new ProcessPoolExecutor(s)",
                      "one pool for the app's lifetime, reused by every request",
                      "Starting a pool's processes costs far more than fib itself: create the pool once, in "
                      "lifespan, and run fib with run_in_executor(<that pool>, fib, n).")
                check(pools.used_in(stage), f"{stage} answered without handing any work to a ProcessPoolExecutor",
                      "fib run by the pool created in lifespan",
                      "Create the pool once, in lifespan, and run fib with run_in_executor(<that pool>, fib, n). "
                      "A thread (to_thread, a def endpoint) keeps the loop free but not the CPU work parallel.")
            pools.stage = "shut-down"
    alive = await gone(children() - earlier)
    check(not alive, f"{len(alive)} worker process(es) of the pool still alive after the app shut down",
          "the pool shut down when the app stops", "After the lifespan's `yield`, call pool.shutdown().")


@graded(points=1, task=3, hint="`Annotated[int, Path(ge=0, le=35)]` makes FastAPI answer 422 for anything "
        "outside 0..35 before your code runs.")
async def test_n_outside_0_to_35_is_422(submission, client):
    response = await client.get("/fibonacci/5")
    expect_status(response, 200, client.errors)  # a valid n works first
    for bad in ("-1", "5000", "ten"):
        response = await client.get(f"/fibonacci/{bad}")
        expect_status(response, 422, client.errors,
                      "fib(-1) is meaningless and fib(5000) never ends (or overflows the stack): reject such n "
                      "before computing.")

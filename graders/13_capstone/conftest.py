"""What 13's public and hidden graders share: PROCESS_DELAY set before the app starts (QUICK
unless a test asks for more), the report_id of a response, and the next update a WebSocket
client receives."""

import json

import httpx
import pytest

from grading import check, fail, ws_recv

QUICK = 0.1  # PROCESS_DELAY where its length does not matter
SLOW = 0.5  # PROCESS_DELAY where "response first" is checked: 5x the 0.1 s looked at after the response


@pytest.fixture
def knobs(knobs) -> dict[str, object]:
    """PROCESS_DELAY = QUICK unless a test's `@pytest.mark.knobs(PROCESS_DELAY=...)` says
    otherwise; set before the app starts (a solution may read it in lifespan)."""
    return {"PROCESS_DELAY": QUICK, **knobs}


def report_id_of(response: httpx.Response) -> str:
    body = response.json()
    report_id = body.get("report_id") if isinstance(body, dict) else None
    check(isinstance(report_id, str) and report_id, f"GET /aggregate returned {response.text[:200]}",
          'a body with a "report_id" that is a non-empty string', "Give each report an id, e.g. str(uuid.uuid4()).")
    return report_id


async def receive_event(ws, live, who: str, within: float) -> dict:
    """The next update ``who`` receives, parsed; feedback if none comes or it is not a JSON object."""
    text = await ws_recv(ws, live, who, 'the {"event": "report_ready", ...} update', within=within)
    try:
        event = json.loads(text)
    except ValueError:
        event = None
    if not isinstance(event, dict):
        fail(f"{who} received {text[:200]!r}", 'a JSON object: {"event": "report_ready", "report_id": ..., '
             '"summary": {...}}', "Send the update with websocket.send_json(message).")
    return event

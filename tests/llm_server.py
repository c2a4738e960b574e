"""A real chat-completions server on 127.0.0.1 for the tests, with scripted faults.

It speaks enough of the OpenAI protocol for the official client: ``POST
/v1/chat/completions`` answering a ``chat.completion`` object with usage. The answer for a
document is looked up by the ``Readout <doc_id>:`` line of the last user message.
Faults are queued per document and used up one request at a time.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

_DOC = re.compile(r"Readout (\S+):")


@dataclass
class Raw:
    """A body sent as it is: not JSON, cut short (``missing`` bytes never come), or trickled."""

    data: bytes
    content_type: str = "application/json"
    missing: int = 0
    trickle: float = 0.0


class _Server(ThreadingHTTPServer):
    # The default listen backlog (5) is below the client's concurrency (8 and more): a full
    # backlog leaves further connections to the kernel's retry, a second later.
    request_queue_size = 128
    daemon_threads = True


class ChatServer:
    def __init__(
        self,
        answers: dict[str, dict[str, Any]],
        structured: bool = True,
        delay: float = 0.0,
        max_connections: int = 1000,
        replier: Callable[[dict[str, Any]], str | None] | None = None,
    ) -> None:
        self.answers = answers
        self.replier = replier  # answers requests that are not about a readout (a judge's)
        self.gate = threading.BoundedSemaphore(max_connections)
        self.structured = structured
        self.delay = delay
        self.faults: dict[str, list[str]] = defaultdict(list)
        self.requests: Counter[str] = Counter()
        self.times: dict[str, list[float]] = defaultdict(list)
        self.auth: set[str] = set()
        self.bodies: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # keep test output clean
                pass

            def do_POST(self) -> None:  # noqa: N802 (the name http.server calls)
                if not server.gate.acquire(blocking=False):
                    # Past its connection limit the server drops the connection unanswered.
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                try:
                    self.answer()
                finally:
                    server.gate.release()

            def answer(self) -> None:
                length = int(self.headers.get("content-length", 0))
                body = json.loads(self.rfile.read(length))
                status, headers, payload = server.respond(body, self.headers.get("authorization", ""))
                if status == 0:  # a hang: answer nothing until the client gives up
                    time.sleep(float(payload))
                    return
                raw = payload if isinstance(payload, Raw) else None
                data = raw.data if raw else json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    content_type = raw.content_type if raw else "application/json"
                    for key, value in {**headers, "content-type": content_type}.items():
                        self.send_header(key, value)
                    self.send_header("content-length", str(len(data) + (raw.missing if raw else 0)))
                    self.end_headers()
                    if raw and raw.trickle:
                        for i in range(len(data)):
                            self.wfile.write(data[i : i + 1])
                            self.wfile.flush()
                            time.sleep(raw.trickle)
                    else:
                        self.wfile.write(data)
                    if raw and raw.missing:  # promise more than is sent, then hang up
                        self.wfile.flush()
                        self.close_connection = True
                        self.connection.shutdown(2)
                except (BrokenPipeError, ConnectionResetError, OSError):
                    pass

        self.httpd = _Server(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def __enter__(self) -> ChatServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    @property
    def total(self) -> int:
        return sum(self.requests.values())

    def respond(self, body: dict[str, Any], auth: str) -> tuple[int, dict[str, str], Any]:
        match = _DOC.search(body["messages"][-1]["content"]) or _DOC.search(json.dumps(body["messages"]))
        doc_id = match.group(1) if match else "?"
        with self._lock:
            self.requests[doc_id] += 1
            self.times[doc_id].append(time.monotonic())
            self.auth.add(auth)
            self.bodies.append(body)
            fault = self.faults[doc_id].pop(0) if self.faults[doc_id] else None
        if self.delay:
            time.sleep(self.delay)
        # Servers that echo the request's credentials back: in an error body, or in the reply.
        if fault in ("echo400", "echo401", "echo500"):
            return int(fault[4:]), {}, {"error": {"message": f"bad request from {auth}", "type": "invalid_request"}}
        if fault == "echo_no_choices":
            return 200, {}, {"choices": None, "error": {"message": f"refused {auth}", "type": "server_error"}}
        if fault == "500":
            return 500, {}, {"error": {"message": "internal error", "type": "server_error"}}
        if fault and fault.startswith("429"):
            return 429, {"retry-after": fault.split(":")[1]}, {"error": {"message": "slow down", "type": "rate_limit"}}
        if fault and fault.startswith("hang"):
            return 0, {}, fault.split(":")[1]
        if fault and fault.startswith("slow"):
            time.sleep(float(fault.split(":")[1]))
        if fault in ("401", "404"):
            reason = {"401": "invalid api key", "404": "no such model"}[fault]
            return int(fault), {}, {"error": {"message": reason, "type": "invalid_request"}}
        if fault == "context":  # refused whatever the format: the prompt is too long
            return 400, {}, {"error": {"message": "maximum context length exceeded", "type": "invalid_request"}}
        if fault == "error200":
            return 200, {}, {"error": {"message": "the model is overloaded", "type": "server_error"}}
        if fault == "html":
            return 200, {}, Raw(b"<html><body>Bad gateway</body></html>", content_type="text/html")
        if fault == "cut":
            return 200, {}, Raw(b'{"id": "x", "object": "chat.completion", "choi', missing=400)
        if "response_format" in body and not self.structured:
            return 400, {}, {"error": {"message": "response_format is not supported", "type": "invalid_request"}}
        answer = self.answers.get(doc_id, {})
        custom = self.replier(body) if self.replier else None
        if fault == "invalid_json":
            content = "Sure! Here is the answer: {meeting_date: 2022-12-17,"
        elif fault == "bad_schema":
            content = json.dumps({**answer, "meeting_date": "17/12/2022", "confidence": 0.9})
        elif fault == "null":
            content = None
        elif fault == "echo_reply":
            content = json.dumps({**answer, "summary": f"The key was {auth} and it worked."})
        elif custom is not None:
            content = custom
        elif self.structured:
            content = json.dumps(answer)
        else:
            content = "Here is the JSON:\n```json\n" + json.dumps(answer, indent=1) + "\n```"
        usage: dict[str, Any] = {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120}
        if fault == "odd_usage":
            usage = {"prompt_tokens": "many", "completion_tokens": -5, "total_tokens": None}
        choices = [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}]
        if fault == "no_choices":
            choices = []
        reply = {
            "id": f"chatcmpl-{self.total}",
            "object": "chat.completion",
            "created": 0,
            "model": body["model"],
            "choices": choices,
            "usage": usage,
        }
        if fault and fault.startswith("trickle"):
            return 200, {}, Raw(json.dumps(reply).encode(), trickle=float(fault.split(":")[1]))
        return 200, {}, reply

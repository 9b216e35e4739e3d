"""In-process processing queue: one conversation's messages in order, many conversations at once.

Webhooks are acknowledged before the assistant has thought about the message (Twilio
wants an answer within seconds; Telegram holds back further updates while it waits), so
the work happens here, in the Rasa server's event loop. A conversation's messages run one
after the other, in arrival order; different conversations run concurrently up to a limit.
The queue itself is in memory; what makes a message survive the process dying before
it ran is its journal entry in the database (integrations.dedup), which another process
takes over after a grace period (see docs/channels.md).
"""
from __future__ import annotations

import asyncio
import collections
import logging
from typing import Awaitable, Callable

logger = logging.getLogger(__name__)

Job = Callable[[], Awaitable[object]]


class ConversationQueue:
    def __init__(self, *, max_concurrent: int = 32, max_pending: int = 2000) -> None:
        self.max_concurrent = max_concurrent
        self.max_pending = max_pending
        self._jobs: dict[str, collections.deque[Job]] = {}
        self._tasks: set[asyncio.Task] = set()
        self._semaphore: asyncio.Semaphore | None = None
        self._pending = 0

    @property
    def pending(self) -> int:
        return self._pending

    @property
    def full(self) -> bool:
        return self._pending >= self.max_pending

    def submit(self, key: str, job: Job) -> None:
        """Run ``job`` after every earlier job with the same key (call from the event loop)."""
        self._pending += 1
        if key in self._jobs:
            self._jobs[key].append(job)
            return
        self._jobs[key] = collections.deque([job])
        task = asyncio.get_running_loop().create_task(self._run(key))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, key: str) -> None:
        if self._semaphore is None:
            self._semaphore = asyncio.Semaphore(self.max_concurrent)
        jobs = self._jobs[key]
        while jobs:
            job = jobs[0]
            try:
                async with self._semaphore:
                    await job()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - one bad message must not stop the others
                # The type only: exception messages can quote the person's text.
                logger.error("message processing failed: %s", type(exc).__name__)
            finally:
                jobs.popleft()
                self._pending -= 1
        del self._jobs[key]

    async def drain(self, timeout: float = 10.0) -> bool:
        """Wait for queued work (shutdown, tests); True if everything finished in time."""
        deadline = asyncio.get_running_loop().time() + timeout
        while self._tasks:
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                return False
            await asyncio.wait(set(self._tasks), timeout=remaining)
        return True

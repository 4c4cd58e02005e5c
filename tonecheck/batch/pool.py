"""A small worker pool whose tasks can be timed out and whose workers can be killed.

``concurrent.futures`` cannot stop one running task; this pool runs each
worker (:mod:`.worker`) as a child process in its own session, gives every
task a deadline, kills (the whole process group of) a worker that overruns
and starts a fresh one, and kills every worker at once when the run is
interrupted. Workers are started lazily, at most ``jobs`` at a time.
"""

from __future__ import annotations

import math
import os
import selectors
import signal
import subprocess
import sys
import tempfile
import time
from collections import deque
from dataclasses import dataclass

from ..errors import TonecheckError
from .worker import read_frame, write_frame

__all__ = ["Task", "Outcome", "WorkerPool"]

EXIT_GRACE_S = 2.0
STARTUP_LIMIT_S = 300.0  # a worker that has not imported tonecheck by then will not


@dataclass(frozen=True)
class Task:
    """One call ``func(*args)`` with a time limit in seconds; ``key`` is the caller's."""

    key: object
    args: tuple
    limit_s: float


@dataclass(frozen=True)
class Outcome:
    """How a task ended: ``status`` is ``"ok"``, ``"error"``, ``"timeout"`` or ``"died"``."""

    status: str
    value: object = None
    detail: str = ""


class _Worker:
    def __init__(self, spec: str, env: dict, preload: tuple):
        code = (
            f"import sys; sys.path[:0] = {list(sys.path)!r}; "
            f"from tonecheck.batch.worker import main; main({spec!r}, {os.getpid()}, {preload!r})"
        )
        self.errors = tempfile.TemporaryFile()  # start-up errors only; the worker silences itself once ready
        self.proc = subprocess.Popen(
            [sys.executable, "-c", code],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.errors,
            env=env,
            start_new_session=True,
            bufsize=0,
        )
        self.ready = False
        self.task = None
        self.deadline = time.monotonic() + STARTUP_LIMIT_S  # until ready, then per task

    def send(self, task: Task) -> bool:
        try:
            write_frame(self.proc.stdin, task.args)
        except (BrokenPipeError, OSError):
            return False
        self.task, self.deadline = task, time.monotonic() + task.limit_s
        return True

    @property
    def waiting(self) -> bool:
        """Starting up or running a task: its deadline counts."""
        return not self.ready or self.task is not None

    def exit_detail(self) -> str:
        code = self.proc.poll()
        if code is None or code >= 0:
            return f"exit code {code}"
        try:
            return f"signal {signal.Signals(-code).name}"
        except ValueError:
            return f"signal {-code}"

    def startup_error(self) -> str:
        self.errors.seek(0)
        lines = self.errors.read().decode("utf-8", "replace").strip().splitlines()
        return lines[-1] if lines else self.exit_detail()

    def kill(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.proc.wait()
        self._close()

    def stop(self) -> None:
        try:
            self.proc.stdin.close()
            self.proc.wait(timeout=EXIT_GRACE_S)
        except (OSError, subprocess.TimeoutExpired):
            pass
        self.kill()

    def _close(self) -> None:
        for fh in (self.proc.stdin, self.proc.stdout, self.errors):
            try:
                fh.close()
            except OSError:
                pass


class WorkerPool:
    """Run tasks in up to ``jobs`` worker processes, each task under its time limit.

    Parameters
    ----------
    spec : str
        ``"package.module:function"`` run by the workers.
    jobs : int >= 1
    env : dict, optional
        Environment of the workers.
    preload : tuple of str
        Modules the workers import before they report ready (so imports do
        not count against the first task's time limit).

    Use as a context manager: leaving it stops the workers, and kills them
    at once if an exception (such as KeyboardInterrupt) is on its way.
    """

    def __init__(self, spec: str, *, jobs: int, env: dict | None = None, preload: tuple = ()):
        self.spec, self.jobs, self.preload = spec, max(1, int(jobs)), tuple(preload)
        self.env = dict(os.environ if env is None else env)
        self.workers: list = []
        self.selector = selectors.DefaultSelector()

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        workers, self.workers = self.workers, []
        for w in workers:
            w.kill() if exc_type is not None else w.stop()
        self.selector.close()

    def _start(self) -> None:
        w = _Worker(self.spec, self.env, self.preload)
        self.workers.append(w)
        self.selector.register(w.proc.stdout, selectors.EVENT_READ, w)

    def _drop(self, w: _Worker) -> None:
        self.selector.unregister(w.proc.stdout)
        self.workers.remove(w)
        w.kill()

    def run(self, tasks, on_done) -> None:
        """Run ``tasks`` (iterable of Task); call ``on_done(task, outcome)`` as each ends.

        An exception raised by ``on_done`` stops the run (pending tasks are
        not started); leaving the ``with`` block then kills the workers.
        """
        queue = deque(tasks)
        while queue or any(w.task for w in self.workers):
            while len(self.workers) < min(self.jobs, len(queue) + sum(w.task is not None for w in self.workers)):
                self._start()
            for w in self.workers:
                if w.ready and w.task is None and queue:
                    task = queue.popleft()
                    if not w.send(task):
                        queue.appendleft(task)
            deadlines = [w.deadline for w in self.workers if w.waiting]
            wait_s = max(0.0, min(deadlines) - time.monotonic()) if deadlines else None
            for key, _ in self.selector.select(wait_s):
                self._receive(key.data, on_done)
            self._expire(on_done)

    def _expire(self, on_done) -> None:
        now = time.monotonic()
        for w in [w for w in self.workers if w.waiting and w.deadline <= now]:
            task = w.task
            self._drop(w)
            if task is None:
                raise TonecheckError(
                    f"{sys.executable}: a worker process did not start within {STARTUP_LIMIT_S:g} s; "
                    "check the tonecheck installation or use fewer --jobs"
                )
            on_done(task, Outcome("timeout", detail=f"{task.limit_s:g}"))

    def _receive(self, w: _Worker, on_done) -> None:
        message = read_frame(w.proc.stdout)
        if message is None:  # the worker died
            task, started = w.task, w.ready
            error = w.startup_error() if not started else ""
            self._drop(w)
            if not started:
                raise TonecheckError(
                    f"{sys.executable}: could not start a worker process ({error}); check the tonecheck installation"
                )
            if task is not None:
                on_done(task, Outcome("died", detail=w.exit_detail()))
            return
        status, value = message
        if status == "ready":
            w.ready = True
            return
        task, w.task, w.deadline = w.task, None, math.inf
        on_done(task, Outcome(status, value=value if status == "ok" else None, detail="" if status == "ok" else value))

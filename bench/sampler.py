"""The sampler of bench/scale.py's builds: CPU and RSS of the build's processes every 0.5 s, what other jobs took,
and where a core idled (kept apart from scale.py, which runs and compares the builds)."""

from __future__ import annotations

import threading
import time


class Sampler:
    """CPU seconds and peak RSS of this process and all its descendants, sampled every `every` seconds;
    this process's RSS every `fine` seconds, kept per `stage` (set by the child's stage timers), and
    the CPU of each of its threads by name (the main thread against Dask's scheduler, nanny and comms)."""

    START = "start (settings, store, versions, discovery, catalog)"

    def __init__(self, every: float = 0.5, fine: float = 0.1):
        import psutil

        self.psutil, self.every, self.fine = psutil, every, fine
        self.cpu: dict[int, float] = {}
        self.rss: dict[int, int] = {}
        self.names: dict[int, str] = {}
        self.threads: dict[int, tuple[str, float]] = {}  # native thread id -> (name, CPU seconds)
        self.stage = self.START
        self.stage_rss: dict[str, list[int]] = {}  # stage -> [RSS when it began, peak RSS during it]
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True, name="bench sampler")
        # [seconds since the first sample, the main process's stage, {process: CPU s in the interval}] per
        # sample: where a core idles (`idle_by_stage`)
        self.timeline: list[list] = []
        self.began = time.perf_counter()
        self.last: dict[str, float] = {}

    def enter(self, stage: str) -> str:
        """Make `stage` the current one (returns the previous); its RSS at entry is recorded."""
        previous, self.stage = self.stage, stage
        self.sample_main()
        return previous

    def sample_main(self) -> None:
        rss = self.psutil.Process().memory_info().rss
        began, peak = self.stage_rss.setdefault(self.stage, [rss, rss])
        self.stage_rss[self.stage][1] = max(peak, rss)

    @staticmethod
    def label(proc, me) -> str:
        if proc.pid == me.pid:
            return "main"
        try:
            line = " ".join(proc.cmdline())
        except Exception:  # noqa: BLE001 - gone or not ours
            return "other"
        if "resource_tracker" in line:
            return "resource tracker"
        if "forkserver" in line and proc.ppid() == me.pid:  # its children, the workers, have its command line
            return "forkserver (imports for the workers)"
        return "worker"

    def sample(self) -> None:
        me = self.psutil.Process()
        names = {t.native_id: t.name for t in threading.enumerate()}
        try:
            for thread in me.threads():
                name = names.get(thread.id) or self.threads.get(thread.id, ("(ended thread)", 0))[0]
                self.threads[thread.id] = (name, thread.user_time + thread.system_time)
        except self.psutil.Error:
            pass
        for proc in [me, *me.children(recursive=True)]:
            try:
                with proc.oneshot():
                    times = proc.cpu_times()
                    self.cpu[proc.pid] = times.user + times.system
                    self.rss[proc.pid] = max(self.rss.get(proc.pid, 0), proc.memory_info().rss)
                    self.names.setdefault(proc.pid, self.label(proc, me))
            except (self.psutil.NoSuchProcess, self.psutil.AccessDenied):
                continue
        totals: dict[str, float] = {}  # by process kind; an ended process keeps its last CPU, so totals only grow
        for pid, seconds in self.cpu.items():
            totals[self.names.get(pid, "other")] = totals.get(self.names.get(pid, "other"), 0.0) + seconds
        machine = self.psutil.cpu_times()  # every process's: what other jobs took shows as "others"
        totals["(machine)"] = sum(machine) - machine.idle - getattr(machine, "iowait", 0.0)
        interval = {k: round(v - self.last.get(k, 0.0), 3) for k, v in totals.items()}
        if self.last:
            mine = sum(v for k, v in interval.items() if k != "(machine)")
            interval["others"] = round(max(0.0, interval["(machine)"] - mine), 3)
        interval.pop("(machine)")
        self.timeline.append([round(time.perf_counter() - self.began, 2), self.stage, interval])
        self.last = totals

    def run(self) -> None:
        ticks = max(1, round(self.every / self.fine))
        n = 0
        while not self.stop.wait(self.fine):
            self.sample_main()
            n += 1
            if n % ticks == 0:
                self.sample()

    def idle_by_stage(self, cores: int) -> dict[str, list[float]]:
        """stage -> [wall s, CPU s of the build's processes, idle core-seconds, CPU s of other jobs] over the
        sampled intervals: an interval of `dt` seconds in which the build used `c` CPU-s and other jobs `o`
        leaves `cores * dt - c - o` core-seconds unused (never below 0). The stage is the main process's at
        the interval's end (0.5 s resolution)."""
        out: dict[str, list[float]] = {}
        for (t0, _, _), (t1, stage, used) in zip(self.timeline, self.timeline[1:]):
            dt, others = t1 - t0, used.get("others", 0.0)
            cpu = sum(used.values()) - others
            row = out.setdefault(stage, [0.0, 0.0, 0.0, 0.0])
            row[0] += dt
            row[1] += cpu
            row[2] += max(0.0, cores * dt - cpu - others)
            row[3] += others
        return {k: [round(x, 1) for x in v] for k, v in out.items()}

    def thread_cpu(self) -> dict[str, float]:
        """CPU seconds of this process's threads, summed by name (Dask names its threads)."""
        out: dict[str, float] = {}
        for name, seconds in self.threads.values():
            key = "main thread" if name == "MainThread" else name.split("-")[0].strip()
            out[key] = round(out.get(key, 0.0) + seconds, 2)
        return dict(sorted(out.items(), key=lambda kv: -kv[1]))

    def __enter__(self):
        self.sample()
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()
        self.sample()

"""A script that calls `build(workers=N)` outside `if __name__ == "__main__":` is told so, with its file and line,
before anything starts: each local worker imports the script and would run the build again (it used to fail ~7 s
later with multiprocessing's "bootstrapping phase" error and Dask's "Nanny failed to start"). Guarded scripts,
a package's `__main__` and code run with `-c` pass. Scripts about the Hanseatic League, not from our corpora."""

from __future__ import annotations

import subprocess
import sys
import textwrap

ASK = "from timeweave import forkserver\n"


def _run(tmp_path, name: str, source: str, *args: str, timeout: int = 60) -> subprocess.CompletedProcess:
    script = tmp_path / name
    script.write_text(textwrap.dedent(source), encoding="utf-8")
    return subprocess.run([sys.executable, *args, str(script)], cwd=tmp_path, capture_output=True, text=True,
                          timeout=timeout)


def test_an_unguarded_build_with_workers_says_where_and_what_to_do_before_starting_anything(tmp_path):
    (tmp_path / "hansa").mkdir()
    (tmp_path / "hansa" / "lubeck.txt").write_text(
        "The Hanseatic diet\n\nIn 1356 the first general diet of the Hanse met at Lubeck.\n", encoding="utf-8")
    done = _run(tmp_path, "unguarded.py", """\
        from timeweave.build import build
        from timeweave.errors import ConfigError

        try:
            build(["hansa"], db="hansa.db", workers=2)
        except ConfigError as error:
            print("REFUSED", error)
        """)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "REFUSED" in done.stdout, (done.stdout[-1000:], done.stderr[-2000:])
    assert "unguarded.py, line 5" in done.stdout and 'if __name__ == "__main__":' in done.stdout
    assert not (tmp_path / "hansa.db").exists()  # refused before the store was opened


def test_the_guard_is_read_from_the_calling_line(tmp_path):
    unguarded = _run(tmp_path, "top.py", ASK + "def calls():\n    return forkserver.unguarded_call()\n\n"
                                           'print("AT", calls())\n')
    assert unguarded.stdout.strip().endswith("top.py', 5)"), unguarded.stdout + unguarded.stderr
    for name, source in {
        "guarded.py": ASK + 'def calls():\n    return forkserver.unguarded_call()\n\nif __name__ == "__main__":\n'
                            '    print("AT", calls())\n',
        "reversed.py": ASK + 'if "__main__" == __name__:\n    print("AT", forkserver.unguarded_call())\n',
        "nested.py": ASK + 'try:\n    if __name__ == "__main__":\n        print("AT", forkserver.unguarded_call())\n'
                           'except KeyError:\n    pass\n',
    }.items():
        done = _run(tmp_path, name, source)
        assert done.stdout.strip() == "AT None", (name, done.stdout, done.stderr)
    typed = subprocess.run([sys.executable, "-c", ASK + 'print("AT", forkserver.unguarded_call())'],
                           capture_output=True, text=True, timeout=60)
    assert typed.stdout.strip() == "AT None", typed.stderr  # no file for a worker to import

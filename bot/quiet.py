"""Run a module without third-party deprecation notices: `python -m bot.quiet rasa run ...`.

Sanic (under Rasa and the action server) resets the warning filters at import
(`filterwarnings("once", DeprecationWarning)`), so PYTHONWARNINGS cannot silence them;
this drops them where they are printed instead. Notices raised from our own code still
show, and WILLAKUY_DEPRECATION_WARNINGS=1 shows them all.
"""
from __future__ import annotations

import os
import runpy
import sys
import warnings

_show = warnings.showwarning


def _third_party(category: type[Warning], filename: str) -> bool:
    return issubclass(category, DeprecationWarning) and "site-packages" in filename


def _showwarning(message, category, filename, lineno, file=None, line=None):  # noqa: ANN001 (stdlib signature)
    if not _third_party(category, filename):
        _show(message, category, filename, lineno, file, line)


def main() -> None:
    if len(sys.argv) < 2:
        sys.exit("usage: python -m bot.quiet MODULE [ARGS...]")
    if os.environ.get("WILLAKUY_DEPRECATION_WARNINGS") != "1":
        warnings.showwarning = _showwarning
    module = sys.argv[1]
    sys.argv = sys.argv[1:]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()

"""Run the embedded LLM endpoint: python -m app.llm_server [--host H] [--port P] [--parallel N]."""

from __future__ import annotations

import argparse
import logging
import sys


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, verify the model and serve until interrupted."""
    from app.llm_server.server import ModelFileError, serve
    from core.settings import get_settings

    parser = argparse.ArgumentParser(description="Steward embedded LLM endpoint")
    parser.add_argument("--host", default=None)
    parser.add_argument("--port", type=int, default=None)
    parser.add_argument("--parallel", type=int, default=1)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        serve(get_settings(), host=args.host, port=args.port, parallel=args.parallel)
    except ModelFileError as exc:
        print(exc, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

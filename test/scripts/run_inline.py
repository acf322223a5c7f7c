"""Runs the Python code given as argv[1] (stdin stays available to it). Used for small one-off oracles."""
import sys

code = sys.argv[1]
exec(compile(code, "<inline>", "exec"), {"__name__": "__inline__"})

"""The pure core of Statewright: the language, with no I/O.

Rules of this package (checked by ``tests/test_layering.py``):

* It never touches a socket, a file, a database, the clock, randomness or the environment, and it
  imports nothing that does (no asyncio, sqlite3, aiohttp, time, random, os).
* Everything it needs from the outside world arrives as data: definitions as decoded JSON values,
  and, for executions, recorded events carrying times, random seeds and task results.
* Given the same inputs it returns the same outputs, so replaying a recorded history reproduces every
  decision.
"""

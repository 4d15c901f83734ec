"""Limits that keep hostile or accidental input from exhausting memory, time or the stack."""

# AWS accepts definitions up to 1 MiB of text; anything larger is refused before it is parsed.
MAX_SOURCE_BYTES = 1024 * 1024
# No real definition nests this deep; the limit keeps pathological inputs from exhausting the stack.
MAX_DEPTH = 200
# YAML aliases can make a small text stand for a huge value ("billion laughs"). A 1 MiB definition holds
# well under a million values, so aliases may add at most this many before the text is refused.
MAX_ALIAS_NODES = 1_000_000

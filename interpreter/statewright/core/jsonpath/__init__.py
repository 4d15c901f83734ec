"""JSONPath as the Amazon States Language uses it: paths, reference paths, context and variable roots.

Interface (implementation in progress):

    parse_path(text) -> JsonPath            # raises PathSyntaxError(message, column)
    JsonPath.root        -> "input" | "context" | "variable"   ($, $$, $name)
    JsonPath.variable    -> str | None      # the variable name for $name roots
    JsonPath.is_reference -> bool           # only .name / ['name'] / [index] steps (a Reference Path)
    JsonPath.is_definite  -> bool           # selects at most one node
"""

"""Semantic lint rules. Importing this package registers every rule (one module per area).

SW2xx graph and structure, SW3xx Choice rules, SW4xx data-flow syntax, SW5xx Retry/Catch,
SW6xx state fields and Task resources, SW7xx query language and variables, SW8xx deployment placeholders, SW9xx what the
workflow type (STANDARD or EXPRESS) allows.
"""

from statewright.lint.rules import (  # noqa: F401  (importing registers the rules)
    choice,
    dataflow,
    errors,
    fields,
    graph,
    integrations,
    placeholders,
    query_language,
    variables,
    workflow_type,
)

"""Reading and checking definitions: what a machine is before anything runs it.

``load_definition`` reads a dict, a path or YAML/JSON text, lints it and returns a :class:`LoadedMachine`
(``statewright.load`` returns its subclass ``StateMachine``, which adds ``execute`` and ``start``). The runtime
takes machines from here and never imports ``api``: layers import only downwards (docs/architecture.md).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from statewright.lint.diagnostic import Diagnostic
from statewright.lint.engine import lint_document, source_error_diagnostic
from statewright.source import Document, SourceError, Span, parse_source
from statewright.source.errors import UNREADABLE_FILE

Source = Mapping[str, Any] | str | bytes | os.PathLike[str]


class DefinitionError(Exception):
    """A definition that cannot be loaded; ``diagnostics`` says why and where."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = diagnostics
        errors = [d for d in diagnostics if d.is_error]
        first = errors[0] if errors else diagnostics[0]
        where = f"{first.file or '<definition>'}:{first.line}:{first.column}"
        if first.code == UNREADABLE_FILE:  # the message names the file; a position in it means nothing
            super().__init__(f"{first.code} {first.message}")
            return
        more = f" (and {len(errors) - 1} more errors)" if len(errors) > 1 else ""
        super().__init__(f"{where}: {first.code} {first.message}{more}")


class UnfilledPlaceholder(ValueError):
    """The definition still holds deployment placeholders, so it cannot run (spec/extensions.md rule 12).

    Attributes:
        placeholders: ``(JSON pointer, placeholder)`` pairs, in document order.
    """

    def __init__(self, placeholders: list[tuple[str, str]]) -> None:
        self.placeholders = placeholders
        shown = ", ".join(f"{name} at {pointer}" for pointer, name in placeholders[:3])
        more = f" and {len(placeholders) - 3} more" if len(placeholders) > 3 else ""
        super().__init__(
            f"unfilled deployment placeholders: {shown}{more} (fill them with substitutions={{NAME: VALUE}} "
            "in the library or --substitute NAME=VALUE on the command line)"
        )


# Fields whose value is data handed to a task or written to the state output: a key called "Comment"
# inside them is the user's data, not the language's free-text Comment field.
_DATA_FIELDS = frozenset({"Parameters", "ResultSelector", "Result", "Arguments", "Output", "Assign", "ItemSelector"})


def _placeholders(value: Any, pointer: str, in_data: bool = False) -> Iterator[tuple[str, str]]:
    from statewright.lint.context import PLACEHOLDER
    from statewright.source.document import escape_pointer_token

    if isinstance(value, str):
        if "${" in value:
            yield from ((pointer, match.group(0)) for match in PLACEHOLDER.finditer(value))
    elif isinstance(value, dict):
        for key, item in value.items():
            if key == "Comment" and not in_data:
                continue  # free text for readers: "${Stage}" there changes nothing that runs
            child = f"{pointer}/{escape_pointer_token(key)}"
            yield from _placeholders(item, child, in_data or key in _DATA_FIELDS)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _placeholders(item, f"{pointer}/{index}", in_data)


# File suffixes dropped to name a machine after its file (workflow.asl.yaml -> "workflow").
_DEFINITION_SUFFIXES = (".asl.json", ".asl.yaml", ".asl.yml", ".json", ".yaml", ".yml")


@dataclass(frozen=True, slots=True)
class LoadedMachine:
    """A definition that passed lint without errors, compiled on first use (``api.StateMachine`` runs it).

    Attributes:
        definition: the decoded definition (placeholders filled).
        document: the source it was read from, with positions.
        warnings: diagnostics of warning severity.
        name: the state machine's name in ARNs and mock configurations: the file name without
            ``.asl.yaml``/``.json``/... for a file, else "StateMachine".
        workflow_type: ``"STANDARD"`` or ``"EXPRESS"``.
    """

    definition: dict[str, Any]
    document: Document
    warnings: tuple[Diagnostic, ...] = ()
    name: str = "StateMachine"
    workflow_type: str = "STANDARD"
    _compiled: list[Any] = field(default_factory=list, repr=False, compare=False)

    @property
    def compiled(self) -> Any:
        """The core's executable form, compiled once on first use and shared by every execution.

        Raises:
            UnfilledPlaceholder: the definition still holds ``${Name}`` placeholders.
            statewright.UnsupportedDefinition: the interpreter cannot run a feature it uses yet.
        """
        if not self._compiled:
            from statewright.core.model import compile_machine

            unfilled = list(_placeholders(self.definition, ""))
            if unfilled:
                raise UnfilledPlaceholder(unfilled)
            self._compiled.append(compile_machine(self.definition))
        return self._compiled[0]

    @property
    def mock_names(self) -> tuple[str, ...]:
        """Names a mock configuration may use for this machine: the name, then the file's full stem."""
        stem = Path(self.document.filename).stem if self.document.filename else self.name
        return (self.name, stem) if stem != self.name else (self.name,)


def read_document(source: Source) -> Document:
    """Turn any accepted source into a Document; raises SourceError (SW010 for a file that cannot be read).

    Raises:
        TypeError: ``source`` is none of the kinds a definition comes as (a caller's mistake, not a definition
            to report on).
    """
    if not isinstance(source, str | bytes | bytearray | Mapping | os.PathLike):
        raise TypeError("a definition is YAML or JSON text (str or bytes), a file path (str or os.PathLike) or a "
                        f"mapping, not {type(source).__name__}")
    if isinstance(source, Mapping):
        return Document(value=dict(source), text="", filename=None, format="json")
    if isinstance(source, os.PathLike) or (isinstance(source, str) and _names_a_file(source)):
        return _read_file(os.fspath(source))
    return parse_source(source)


# A string that ends like a definition file, or holds a path separator on one line and does not open a JSON
# or YAML flow collection, is a file name: a missing file is "cannot read", never YAML text that is no object.
_FILE_SUFFIXES = (".json", ".yaml", ".yml")


def _names_a_file(text: str) -> bool:
    if "\n" in text or len(text) >= 4096:
        return False
    if _is_file(text):
        return True
    stripped = text.strip()
    if not stripped or stripped[0] in "{[":
        return False
    return stripped.lower().endswith(_FILE_SUFFIXES) or "/" in stripped or os.sep in stripped


def _read_file(name: str) -> Document:
    try:
        data = Path(name).read_bytes()
    except OSError as error:
        raise SourceError(f"cannot read {name}: {_why_unreadable(name, error)}", UNREADABLE_FILE,
                          Span(1, 1, 1, 1), name) from None
    return parse_source(data, filename=name)


def _why_unreadable(name: str, error: OSError) -> str:
    if isinstance(error, FileNotFoundError):
        return "no such file"
    if isinstance(error, IsADirectoryError) or Path(name).is_dir():
        return "it is a directory"
    return (error.strerror or str(error)).lower()


def _is_file(text: str) -> bool:
    try:
        return Path(text).is_file()
    except (OSError, ValueError):
        return False


WORKFLOW_TYPES = ("STANDARD", "EXPRESS")


def load_definition(
    source: Source, *, substitutions: Mapping[str, str] | None = None, workflow_type: str = "STANDARD",
    kind: type[LoadedMachine] | None = None,
) -> LoadedMachine:
    """Read and check a definition (``statewright.load`` makes a StateMachine of it with ``kind``).

    Args:
        source: a dict, a file path, or YAML/JSON text.
        substitutions: values for deployment placeholders such as ``${LambdaArn}``.
        workflow_type: ``"STANDARD"`` or ``"EXPRESS"``, as CreateStateMachine's ``type``: it changes the
            execution ARNs and the context object (EXPRESS executions have no ``RedriveCount``).

    Raises:
        DefinitionError: the definition has lint errors (``.diagnostics`` lists them all).
        ValueError: an unknown ``workflow_type``.
    """
    if workflow_type not in WORKFLOW_TYPES:
        raise ValueError(f"workflow_type must be one of {', '.join(WORKFLOW_TYPES)}, got {workflow_type!r}")
    try:
        document = read_document(source)
    except SourceError as error:
        raise DefinitionError([source_error_diagnostic(error)]) from None
    diagnostics = lint_document(document, substitutions=substitutions, workflow_type=workflow_type)
    if any(d.is_error for d in diagnostics):
        raise DefinitionError(diagnostics)
    value = document.value
    if substitutions:
        from statewright.lint.placeholders import substitute

        value = substitute(value, substitutions)
    return (kind or LoadedMachine)(value, document, tuple(diagnostics), machine_name(document.filename),
                                   workflow_type)


def machine_name(filename: str | None) -> str:
    """``path/to/order-flow.asl.yaml`` -> ``order-flow``; "StateMachine" for a definition without a file."""
    if not filename:
        return "StateMachine"
    base = Path(filename).name
    for suffix in _DEFINITION_SUFFIXES:
        if base.lower().endswith(suffix) and len(base) > len(suffix):
            return base[: -len(suffix)]
    return base



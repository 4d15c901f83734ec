"""The library entry points: ``lint`` and ``load``."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from statewright.lint.diagnostic import Diagnostic
from statewright.lint.engine import lint_document, lint_value, source_error_diagnostic
from statewright.source import Document, SourceError, parse_source

Source = Mapping[str, Any] | str | bytes | os.PathLike[str]


class DefinitionError(Exception):
    """A definition that cannot be loaded; ``diagnostics`` says why and where."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = diagnostics
        errors = [d for d in diagnostics if d.is_error]
        first = errors[0] if errors else diagnostics[0]
        where = f"{first.file or '<definition>'}:{first.line}:{first.column}"
        more = f" (and {len(errors) - 1} more errors)" if len(errors) > 1 else ""
        super().__init__(f"{where}: {first.code} {first.message}{more}")


@dataclass(frozen=True, slots=True)
class StateMachine:
    """A definition that passed lint without errors.

    Attributes:
        definition: the decoded definition.
        document: the source it was read from, with positions.
        warnings: diagnostics of warning severity.
    """

    definition: dict[str, Any]
    document: Document
    warnings: tuple[Diagnostic, ...] = ()


def read_document(source: Source) -> Document:
    """Turn any accepted source into a Document; raises SourceError or OSError."""
    if isinstance(source, Mapping):
        return Document(value=dict(source), text="", filename=None, format="json")
    if isinstance(source, os.PathLike) or (
        isinstance(source, str) and "\n" not in source and len(source) < 4096 and _is_file(source)
    ):
        path = Path(source)
        return parse_source(path.read_bytes(), filename=str(path))
    return parse_source(source)


def _is_file(text: str) -> bool:
    try:
        return Path(text).is_file()
    except (OSError, ValueError):
        return False


def lint(source: Source, *, substitutions: Mapping[str, str] | None = None) -> list[Diagnostic]:
    """Lint a definition given as a dict, a file path, or YAML/JSON text.

    Returns:
        Every diagnostic, errors and warnings, sorted by position. Empty when the definition is clean.
    """
    if isinstance(source, Mapping):
        return lint_value(dict(source), substitutions=substitutions)
    try:
        document = read_document(source)
    except SourceError as error:
        return [source_error_diagnostic(error)]
    return lint_document(document, substitutions=substitutions)


def load(source: Source, *, substitutions: Mapping[str, str] | None = None) -> StateMachine:
    """Read and check a definition.

    Raises:
        DefinitionError: the definition has lint errors (``.diagnostics`` lists them all).
    """
    try:
        document = read_document(source)
    except SourceError as error:
        raise DefinitionError([source_error_diagnostic(error)]) from None
    diagnostics = lint_document(document, substitutions=substitutions)
    if any(d.is_error for d in diagnostics):
        raise DefinitionError(diagnostics)
    value = document.value
    if substitutions:
        from statewright.lint.placeholders import substitute

        value = substitute(value, substitutions)
    return StateMachine(value, document, tuple(diagnostics))

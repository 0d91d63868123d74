"""Show doctest examples (``>>>`` lines and their output) as code on the site.

The pages and docstrings keep their examples as bare ``>>>`` lines so that pytest runs them
(``--doctest-glob='*.md'``, ``--doctest-modules``); rendered as they are, they would be
paragraphs, and text such as ``slides["id"]["start_date"]`` would read as a Markdown link.
Used twice by ``mkdocs.yml``: as a mkdocs hook (the pages) and as a griffe extension of
mkdocstrings (the docstrings of the API reference).
"""

from __future__ import annotations

from typing import Any

import griffe


def fence_doctests(markdown: str) -> str:
    """Wrap each run of doctest lines (from a ``>>>`` line to the next blank line) outside fences in a pycon fence.

    >>> fence_doctests("Text\\n>>> 1 + 1\\n2\\n\\nMore").splitlines()
    ['Text', '```pycon', '>>> 1 + 1', '2', '```', '', 'More']
    """
    out: list[str] = []
    fenced = in_example = False
    indent = ""
    for line in markdown.split("\n"):
        stripped = line.lstrip()
        if in_example and not stripped:
            out.append(f"{indent}```")
            in_example = False
        elif not in_example and stripped.startswith(("```", "~~~")):
            fenced = not fenced
        elif not fenced and not in_example and stripped.startswith(">>>"):
            indent = line[: len(line) - len(stripped)]
            out.append(f"{indent}```pycon")
            in_example = True
        out.append(line)
    if in_example:
        out.append(f"{indent}```")
    return "\n".join(out)


def on_page_markdown(markdown: str, **_: Any) -> str:
    """The mkdocs hook: every page's Markdown, before it is converted."""
    return fence_doctests(markdown)


class DoctestFences(griffe.Extension):
    """The griffe extension: fence the doctest examples of every docstring the API reference shows."""

    def on_object(self, *, obj: griffe.Object, **_: Any) -> None:
        """Each loaded object (module, class, function, attribute)."""
        if obj.docstring is not None:
            obj.docstring.value = fence_doctests(obj.docstring.value)

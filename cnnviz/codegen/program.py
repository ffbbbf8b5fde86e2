"""A generated program as a list of steps, written out as a script or a notebook.

Every code generator in :mod:`cnnviz.codegen` returns a :class:`Program`: a title, an
introduction and :class:`Step` objects, each with the page's own words (markdown) and the
code that does that step. :meth:`Program.script` joins them into one ``.py`` file (the words
become comments); :meth:`Program.notebook` makes a Jupyter notebook (``nbformat`` v4), one
markdown cell and one code cell per step. The code uses public packages only (Keras,
TensorFlow, numpy, OpenCV, scikit-learn) and never ``cnnviz``, so it runs in Colab as it is.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field

import nbformat


@dataclass(frozen=True)
class Step:
    """One step of a generated program.

    Attributes:
        title: a short heading ("Load the data").
        text: the page's words for the step (markdown; may be empty).
        code: Python source of the step (runs after the steps before it).
    """

    title: str
    text: str
    code: str


@dataclass(frozen=True)
class Program:
    """A generated program: what the page did, step by step.

    Attributes:
        title: what the program does ("Train the MNIST CNN on digits").
        intro: a paragraph of markdown above the first step.
        steps: the steps in the order they run.
        requirements: pip package names the code imports (for the header and the notebook).
    """

    title: str
    intro: str
    steps: tuple[Step, ...]
    requirements: tuple[str, ...] = field(default=("tensorflow", "numpy"))

    def script(self) -> str:
        """The program as one Python script (steps as comment-headed sections)."""
        lines = [f'"""{self.title}.', "", *_wrap(self.intro), ""]
        lines += [f"Needs: pip install {' '.join(self.requirements)}", '"""', ""]
        for number, step in enumerate(self.steps, 1):
            lines.append(f"# %% {number}. {step.title}")
            lines += [f"# {line}".rstrip() for line in _wrap(step.text)]
            lines += [step.code.strip("\n"), ""]
        return "\n".join(lines).rstrip("\n") + "\n"

    def notebook(self) -> dict:
        """The program as a Jupyter notebook (nbformat v4 JSON, as a dict)."""
        nb = nbformat.v4.new_notebook()
        cells = [nbformat.v4.new_markdown_cell(f"# {self.title}\n\n{self.intro}".strip())]
        cells.append(
            nbformat.v4.new_markdown_cell(f"Needs: `pip install {' '.join(self.requirements)}`")
        )
        for number, step in enumerate(self.steps, 1):
            cells.append(nbformat.v4.new_markdown_cell(f"## {number}. {step.title}\n\n{step.text}"))
            cells.append(nbformat.v4.new_code_cell(step.code.strip("\n")))
        nb.cells = cells
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
        nb.metadata["language_info"] = {"name": "python"}
        nbformat.validate(nb)
        return nb


def _wrap(text: str, width: int = 88) -> list[str]:
    """Markdown text as lines of at most ``width`` characters (paragraphs kept)."""
    out: list[str] = []
    for paragraph in str(text or "").strip().split("\n\n"):
        if paragraph.strip():
            out += textwrap.wrap(" ".join(paragraph.split()), width - 2) or [""]
            out.append("")
    return out[:-1] if out else out

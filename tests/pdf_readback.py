"""Reading a PDF back the way a person reads it (STYLE.md, "Read back what people read"): its
text line by line and grouped into cells, with a check that no word is broken across lines,
and its pages as images (for QR codes and for looking at).

Text comes from PDFium (pypdfium2), which reads the page the way a viewer does: each text
rectangle it reports is one run of text on one line; its first character gives the baseline
and the font size. Lines that share a left, right or center edge and whose baselines follow
at a line's leading (at most 1.45 times the font size) form one cell: a table cell of several
lines, a wrapped paragraph, or a single line.

Why not pypdf: its extract_text joins runs and guesses spaces from positions, which is exactly
what may hide a word drawn in two pieces.
"""

import ctypes
import re
from dataclasses import dataclass, field

import pypdfium2
import pypdfium2.raw as pdfium_c
import zxingcpp

_EDGE_PUNCTUATION = "()[]{}.,;:!?\"'"


@dataclass(frozen=True)
class Line:
    page: int
    left: float  # the first character's origin
    baseline: float
    right: float
    size: float  # font size, points
    text: str

    @property
    def center(self) -> float:
        return (self.left + self.right) / 2


@dataclass
class Cell:
    lines: list[Line] = field(default_factory=list)

    @property
    def texts(self) -> list[str]:
        return [line.text for line in self.lines]

    @property
    def text(self) -> str:
        return " ".join(self.texts)

    def __repr__(self) -> str:
        return f"Cell(page={self.lines[0].page}, lines={self.texts!r})"


def lines(pdf: bytes) -> list[Line]:
    """Every run of text, page by page, top to bottom then left to right."""
    document = pypdfium2.PdfDocument(pdf)
    found = []
    try:
        for number in range(len(document)):
            textpage = document[number].get_textpage()
            for index in range(textpage.count_rects()):
                left, bottom, right, top = textpage.get_rect(index)
                text = " ".join(textpage.get_text_bounded(left, bottom, right, top).split())
                if not text:
                    continue
                first = textpage.get_index(left + 0.3, (bottom + top) / 2, 2, 2)
                x, y = ctypes.c_double(), ctypes.c_double()
                pdfium_c.FPDFText_GetCharOrigin(textpage.raw, first, x, y)
                size = pdfium_c.FPDFText_GetFontSize(textpage.raw, first)
                found.append(Line(number + 1, x.value, y.value, right, size, text))
    finally:
        document.close()
    return sorted(found, key=lambda line: (line.page, -line.baseline, line.left))


def _continues(above: Line, below: Line) -> bool:
    """`below` is the next line of the same cell as `above`: same page, aligned on one edge
    and no further below than a line's leading."""
    if above.page != below.page:
        return False
    pitch = above.baseline - below.baseline
    if not 0.5 < pitch <= 1.45 * max(above.size, below.size):
        return False
    return any(
        abs(a - b) < 1.5
        for a, b in (
            (above.left, below.left),
            (above.right, below.right),
            (above.center, below.center),
        )
    )


def cells(pdf: bytes) -> list[Cell]:
    """The text of `pdf` grouped into cells (see the module's docstring)."""
    found: list[Cell] = []
    for line in lines(pdf):
        owner = next(
            (
                cell
                for cell in reversed(found)
                if cell.lines[-1].page == line.page and _continues(cell.lines[-1], line)
            ),
            None,
        )
        if owner is None:
            found.append(Cell([line]))
        else:
            owner.lines.append(line)
    return found


def words(text: str) -> list[str]:
    """Whitespace-separated words without the punctuation at their ends."""
    stripped = (word.strip(_EDGE_PUNCTUATION) for word in text.split())
    return [word for word in stripped if word]


def split_words(pdf: bytes, values: list[str]) -> list[str]:
    """Where a word of one of `values` is broken across two lines of a cell ("EdAdvanc" then
    "e"), or printed nowhere whole: one message each, empty when every word is whole."""
    vocabulary = {word for value in values for word in words(value)}
    found = cells(pdf)
    problems = []
    for cell in found:
        for above, below in zip(cell.lines, cell.lines[1:], strict=False):
            tail, head = (words(above.text) or [""])[-1], (words(below.text) or [""])[0]
            joined = tail + head
            if joined in vocabulary and not {tail, head} <= vocabulary:
                problems.append(f"{joined!r} split as {tail!r} / {head!r} in {cell!r}")
    printed = {word for cell in found for line in cell.lines for word in words(line.text)}
    for word in sorted(vocabulary - printed):
        problems.append(f"{word!r} is not printed whole on any line")
    return problems


def assert_no_split_words(pdf: bytes, values: list[str]) -> None:
    problems = split_words(pdf, values)
    assert not problems, "words broken across lines:\n" + "\n".join(problems)


def cell_containing(pdf: bytes, pattern: str) -> Cell:
    """The first cell whose text matches the regular expression `pattern`."""
    for cell in cells(pdf):
        if re.search(pattern, cell.text):
            return cell
    raise AssertionError(f"no cell matches {pattern!r}")


def page_images(pdf: bytes, *, scale: float = 2):
    """Each page as a PIL image, `scale` pixels a point (2: 144 dpi)."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        return [document[n].render(scale=scale).to_pil() for n in range(len(document))]
    finally:
        document.close()


def qr_codes(pdf: bytes, *, page: int = 1) -> list[str]:
    """The text of every QR code read from the rendered page (1-based), as a phone would."""
    image = page_images(pdf, scale=4)[page - 1]
    return [result.text for result in zxingcpp.read_barcodes(image)]

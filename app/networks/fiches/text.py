"""Text helpers for fiches: accent folding, safe Markdown, placeholders, readable diffs."""

from __future__ import annotations

import difflib
import re
import unicodedata

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup, escape

# The inclusive middle dot disappears: « assistant·e » is searched as « assistante ».
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "’": "'", "ß": "ss",
                            "·": "", "•": ""})
WORD_RE = re.compile(r"[a-z0-9]+")


def fold(text: str) -> str:
    """Lower case without accents: « Crèche Œuvre » → « creche oeuvre »."""
    text = (text or "").translate(_LIGATURES)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def words(text: str) -> list[str]:
    return WORD_RE.findall(fold(text))


# --------------------------------------------------------------------------- Markdown

_md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
ALLOWED_TAGS = {"p", "h2", "h3", "h4", "ul", "ol", "li", "strong", "em", "a", "br", "blockquote",
                "table", "thead", "tbody", "tr", "th", "td", "code", "hr"}


def markdown_to_html(source: str) -> Markup:
    """Markdown → HTML with raw HTML disabled, then sanitised (no script, no handlers)."""
    html = _md.render(source or "")
    clean = nh3.clean(html, tags=ALLOWED_TAGS, attributes={"a": {"href"}},
                      url_schemes={"http", "https", "mailto", "tel"},
                      link_rel="noopener noreferrer")
    return Markup(clean)


def plain_text(markdown_source: str) -> str:
    """Markdown without its markup, for search documents."""
    return re.sub(r"[#*_>`|\[\]()-]+", " ", markdown_source or "")


# --------------------------------------------------------------------------- placeholders

PLACEHOLDER_RE = re.compile(r"\{([a-z]+)\.([a-z_]+)\}")
PLACEHOLDERS = {
    "relais.nom": "relais petite enfance du secteur",  # written after « le »/« Le » in texts
    "relais.telephone": "le numéro du relais petite enfance (à demander à l’accueil de la mairie)",
    "relais.email": "l’adresse du relais petite enfance (à demander à l’accueil de la mairie)",
    "relais.horaires": "les horaires du relais petite enfance (à demander à l’accueil de la mairie)",
    "relais.adresse": "l’adresse du relais petite enfance (à demander à l’accueil de la mairie)",
    "commune.nom": "votre commune",
    "mairie.horaires": "les horaires d’ouverture de la mairie",
    "mairie.telephone": "le standard de la mairie",
}


def placeholders_in(*texts: str) -> set[str]:
    found = set()
    for text in texts:
        for kind, field in PLACEHOLDER_RE.findall(text or ""):
            found.add(f"{kind}.{field}")
    return found


def unknown_placeholders(*texts: str) -> set[str]:
    return {p for p in placeholders_in(*texts) if p not in PLACEHOLDERS}


def resolve(text: str, values: dict[str, str]) -> str:
    """Replace placeholders with local values, or with a neutral phrase when a value is
    missing, so a reader never sees a broken sentence."""

    def replace(match: re.Match) -> str:
        key = f"{match.group(1)}.{match.group(2)}"
        value = (values.get(key) or "").strip() or PLACEHOLDERS.get(key, "")
        following = match.string[match.end():match.end() + 1]
        if following in ".;:," and value.endswith("."):
            value = value[:-1]  # « … matin. » followed by the sentence's own full stop
        return value

    return PLACEHOLDER_RE.sub(replace, text or "")


# --------------------------------------------------------------------------- diff

def word_diff(old: str, new: str) -> Markup:
    """A readable word-level diff: removed words in <del>, added words in <ins>."""
    a, b = re.split(r"(\s+)", old or ""), re.split(r"(\s+)", new or "")
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(escape("".join(a[i1:i2])))
            continue
        removed, added = "".join(a[i1:i2]), "".join(b[j1:j2])
        if removed:
            out.append(Markup("<del>") + escape(removed) + Markup("</del>"))
        if added:
            out.append(Markup("<ins>") + escape(added) + Markup("</ins>"))
    return Markup("").join(out)

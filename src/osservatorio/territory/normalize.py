"""Search keys for place names: lower case, no accents, apostrophes and dashes as spaces.

"Ca' d'Andrea" and "ca d andrea" must meet, as must "Sesto ed Uniti" and "SESTO ED UNITI", and
"Cortemilia" typed with or without an accent. Pure Python: used by the loader and by the search view.
"""

import re
import unicodedata

_NON_WORD = re.compile(r"[^0-9a-z]+")


def search_key(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text or "")
    ascii_only = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    # Typographic apostrophes (’), slashes of bilingual names and dashes all separate words.
    return _NON_WORD.sub(" ", ascii_only.lower()).strip()

"""Messages the store writes for people: English text that remembers how it was made.

A refusal (``ConflictError("notice 7 is claimed by cli:root")``), a validator's problem or a reason
kept on a notice is read by the API's clients, the CLI and the logs in English, and by the UI's
readers in their own language. :func:`said` builds such a message from a template with ``{name}``
places: the result *is* the English string (a :class:`str`, so everything that takes text takes it),
and it carries its template and values, so a page can look the template up in its catalogue and fill
the places after translating (``piratewatch.web.ui.pages.say``).

Every template given to :func:`said` as a literal is a message of the UI's catalogue:
``tests/ui/test_languages.py`` finds each one in the source and checks it has its Japanese text. A
value that is itself a :class:`Said` is translated in turn; values named in :data:`TERM_PLACES`
(a state, a legal basis…) are looked up as terms of the catalogue; every other value (an id, a URL,
an operator's name) is shown as it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

#: places whose values are words of the store's vocabulary (states, kinds, legal bases), translated
#: like the states a page shows; any other place keeps its value as written
TERM_PLACES = frozenset({"state", "target", "basis", "status", "kind"})


class Said(str):
    """English text made from `template` and `params`; ``str(said)`` is the English, ``template`` the message."""

    template: str
    params: Mapping[str, object]

    def __new__(cls, template: str, params: Mapping[str, object]) -> Said:
        made = super().__new__(cls, template.format(**params) if params else template)
        made.template = template
        made.params = MappingProxyType(dict(params))
        return made

    def __reduce__(self) -> tuple[object, ...]:  # pickles (a job's result crosses processes) as a Said
        return (Said, (self.template, dict(self.params)))


def said(template: str, **params: object) -> Said:
    """The message `template` with its ``{name}`` places filled from `params` (see the module's text)."""
    return Said(template, params)

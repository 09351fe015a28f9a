"""The kinds of works (a module of its own: the command line names them without loading the store)."""

from __future__ import annotations

import enum


class ContentType(enum.StrEnum):
    """What kind of work is infringed; damage coefficients are keyed by it."""

    MANGA = "manga"
    ANIME = "anime"
    FILM = "film"
    TV = "tv"
    MUSIC = "music"
    GAME = "game"
    BOOK = "book"
    SOFTWARE = "software"
    OTHER = "other"

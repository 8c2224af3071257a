"""The topic's own scope in the knowledge base: a document whose title names the topic, or a section
whose heading does ("以“推进领导干部能上能下”为题" over 推进领导干部能上能下规定; "加强校院文化建设" over
"六、高度重视校院文化建设,…").

Everything inside such a scope is about the topic even where a sentence never repeats the topic words
(第十三条坚持严管和厚爱结合…; 第三,打造体现党校特色的环境文化). Drafting puts the whole scope in every
section's pool and reads each of its units under the scope's name; the points a section enumerates
(第一,… 第二,…) are the topic's own points and rank first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from sizheng_bot.compose.select import QueryTerms, Unit, match_unit, score_unit
from sizheng_bot.text import squash
from sizheng_bot.types import Chunk, Hit

SHARE = 0.8  # share of the topic's weight a title or heading must hold
MAX_CHUNKS = 80  # most chunks of one scope drawn on (a regulation of some 40 articles)
ITEM_BONUS = 0.3  # an enumerated point of the topic's own section


@dataclass(frozen=True)
class Scope:
    source: str
    prefix: str  # the section path the scope covers ("" for the whole document)
    name: str  # the title or heading that names the topic

    def covers(self, hit: Hit) -> bool:
        return hit.source == self.source and (not self.prefix or hit.section.startswith(self.prefix))


def title_of(hit: Hit) -> str:
    stem = hit.source.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return hit.title if hit.title and hit.title != hit.source else stem


def _holds(q: QueryTerms, name: str) -> bool:
    text = squash(name)
    return bool(q.core) and sum(q.terms[t] for t in q.core if t in text) >= SHARE * q.total


def topic_scopes(hits: Sequence[Hit], topic_terms: QueryTerms) -> list[Scope]:
    """The documents and sections among ``hits``' whose title or heading holds (nearly) all the topic."""
    found: dict[tuple[str, str], Scope] = {}
    for h in hits:
        if _holds(topic_terms, title_of(h)):
            found.setdefault((h.source, ""), Scope(h.source, "", title_of(h)))
            continue
        path: list[str] = []
        for head in h.section.split(" > ") if h.section else ():
            path.append(head)
            if _holds(topic_terms, head):
                prefix = " > ".join(path)
                found.setdefault((h.source, prefix), Scope(h.source, prefix, head))
                break
    whole = {s.source for s in found.values() if not s.prefix}
    return [s for s in found.values() if not s.prefix or s.source not in whole]


def scope_hits(chunks: Sequence[Chunk], scopes: Sequence[Scope], score: float) -> list[Hit]:
    """Every chunk of the scopes (up to ``MAX_CHUNKS`` each) as hits with ``score``."""
    out: list[Hit] = []
    for s in scopes:
        mine = [c for c in chunks if c.source == s.source and (not s.prefix or c.section.startswith(s.prefix))]
        out += [Hit(c.id, c.text, score, c.source, c.title, c.section, c.page, c.position)
                for c in mine[:MAX_CHUNKS]]  # fmt: skip
    return out


def read_under(units: Sequence[Unit], scopes: Sequence[Scope], q: QueryTerms, top: float) -> list[Unit]:
    """``units`` rescored with each in-scope unit read under its scope's name (its title or heading);
    an enumerated point of a section scope gets ``ITEM_BONUS``."""
    if not scopes:
        return list(units)
    out = []
    for u in units:
        s = next((s for s in scopes if s.covers(u.hit)), None)
        if s is not None:
            bonus = ITEM_BONUS if s.prefix and u.is_item else 0.0
            u = replace(u, match=match_unit(replace(u, text=f"{s.name}。{u.text}"), q) + bonus)
            u = replace(u, score=score_unit(u, q, top))
        out.append(u)
    return out

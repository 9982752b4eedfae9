"""The writes of team champions and of the playbook's review (README.md, "Teams"): publish and
unpublish, move a personal champion into a team, hide or reword a pattern.

Who may call these is decided before, by ``champions.access`` (the views look the champion up
there); these functions check what the champion's state allows.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from agents.providers.embeddings import get_embedder
from agents.reasoning import categories as cat
from agents.reasoning.scenarios import generate_scenarios_offline
from champions.models import Champion, ChampionPattern, Scenario, embedding_blob
from champions.pipeline import champion_call_metrics, scenario_fields
from champions.selectors import champion_patterns
from champions.vector_index import get_vector_index, index_items_for
from core import ops
from core.errors import Conflict, InvalidInput, NotFound
from teams.selectors import managed_team

PATTERN_TEXT_CHARS = 2000


def _locked(champion: Champion) -> Champion:
    # Not the recorded call: publishing or editing a pattern never reads it.
    return Champion.objects.select_for_update().get(pk=champion.pk)


def _team_champion(champion: Champion, doing: str) -> None:
    if champion.team_id is None:
        raise Conflict(f"A personal champion is not {doing}: only a team's champions are. Move it to a team first.")


@transaction.atomic
def champion_publish(*, champion: Champion, by: User) -> Champion:
    """The team's reps see the champion from now on. Publishing twice keeps the first date."""
    champion = _locked(champion)
    _team_champion(champion, "published")
    if champion.status != Champion.Status.READY:
        raise Conflict(f"The champion is {champion.status}; it can be published once its analysis is ready.")
    if champion.published_at is None:
        champion.published_at = timezone.now()
        champion.save(update_fields=["published_at", "updated_at"])
        ops.audit_record(
            champion,
            action="CHAMPION_PUBLISH",
            changes={"published_at": [None, champion.published_at.isoformat()]},
            extra={"by_user_id": by.pk, "team_id": champion.team_id},
        )
    return champion


@transaction.atomic
def champion_unpublish(*, champion: Champion, by: User) -> Champion:
    """Back to a draft: the team's reps no longer see it (their past sessions stay theirs)."""
    champion = _locked(champion)
    _team_champion(champion, "published or unpublished")
    if champion.published_at is not None:
        was = champion.published_at.isoformat()
        champion.published_at = None
        champion.save(update_fields=["published_at", "updated_at"])
        ops.audit_record(
            champion,
            action="CHAMPION_UNPUBLISH",
            changes={"published_at": [was, None]},
            extra={"by_user_id": by.pk, "team_id": champion.team_id},
        )
    return champion


@transaction.atomic
def champion_move(*, champion: Champion, by: User, team_id: int) -> Champion:
    """A personal champion of ``by`` becomes a draft of a team ``by`` manages (404 for a team
    not theirs, 403 as its rep). Existing champions stay personal until moved."""
    team = managed_team(by, team_id)
    champion = _locked(champion)
    if champion.team_id is not None:
        raise Conflict("This champion already belongs to a team.")
    if champion.owner_id != by.pk:
        raise NotFound("No such champion.")
    champion.team, champion.published_at = team, None
    champion.save(update_fields=["team", "published_at", "updated_at"])
    ops.audit_record(champion, action="CHAMPION_MOVE", changes={"team": [None, team.pk]}, extra={"by_user_id": by.pk})
    return champion


def _pattern_text(text: str) -> str:
    cleaned = " ".join("".join(" " if not ch.isprintable() else ch for ch in text).split())
    if not cleaned:
        raise InvalidInput("The pattern's text is empty.", fields={"text": ["The text is empty."]})
    if len(cleaned) > PATTERN_TEXT_CHARS:
        message = f"At most {PATTERN_TEXT_CHARS} characters."
        raise InvalidInput(message, fields={"text": [message]})
    return cleaned


def _reword(champion: Champion, pattern: ChampionPattern, text: str) -> None:
    """New wording, embedded afresh; the champion's answers to a reworded objection follow it
    (they name the objection by its text, ``responds_to``)."""
    if pattern.category == cat.OBJECTION:
        ChampionPattern.objects.filter(champion=champion, responds_to=pattern.text).update(responds_to=text)
    pattern.text = text
    pattern.embedding = embedding_blob(get_embedder().embed([text])[0])
    pattern.edited_at = timezone.now()


@transaction.atomic
def champion_pattern_update(
    *, champion: Champion, pattern_id: int, by: User, hidden: bool | None = None, text: str | None = None
) -> ChampionPattern:
    """Hides (or shows again) a pattern, or rewords it. Audited with the old and new values.
    The champion's scenarios are rebuilt from the patterns in use, the vector store follows."""
    champion = _locked(champion)
    if champion.is_busy:
        raise Conflict("The champion is being analysed; its patterns can be edited once it is done.")
    pattern = ChampionPattern.objects.select_for_update().filter(pk=pattern_id, champion=champion).first()
    if pattern is None:
        raise NotFound("This champion has no such pattern.")
    changes: dict[str, list] = {}
    if hidden is not None and hidden != pattern.hidden:
        changes["hidden"] = [pattern.hidden, hidden]
        pattern.hidden = hidden
    if text is not None and (cleaned := _pattern_text(text)) != pattern.text:
        changes["text"] = [pattern.text, cleaned]
        _reword(champion, pattern, cleaned)
    if not changes:
        return pattern
    pattern.save(update_fields=["hidden", "text", "embedding", "edited_at"])
    ops.audit_record(
        pattern,
        action="CHAMPION_PATTERN_EDIT",
        changes=changes,
        extra={"by_user_id": by.pk, "champion_id": champion.pk, "category": pattern.category},
    )
    if champion.status == Champion.Status.READY:
        champion_scenarios_rebuild(champion=champion)
    champion_id = champion.pk
    transaction.on_commit(lambda: get_vector_index().replace_champion(champion_id, index_items_for(champion_id)))
    return pattern


def champion_scenarios_rebuild(*, champion: Champion) -> list[Scenario]:
    """The champion's scenarios built again from the patterns in use, by the offline builder
    (the pipeline's own for offline champions; fast enough for a request, and no vendor call
    in one). Rows are rewritten in place, in order: a scenario keeps its id (assignments and
    sessions keep pointing at it), extras are added, surplus ones removed."""
    specs = generate_scenarios_offline(
        champion_patterns(champion_id=champion.pk), champion.parsed_transcript, champion_call_metrics(champion)
    )
    existing = list(champion.scenarios.select_for_update().order_by("position"))
    kept = []
    for row, spec in zip(existing, specs, strict=False):
        for field, value in scenario_fields(spec).items():
            setattr(row, field, value)
        kept.append(row)
    if kept:
        Scenario.objects.bulk_update(kept, list(scenario_fields(specs[0])))
    next_position = max((row.position for row in existing), default=-1) + 1
    added = Scenario.objects.bulk_create(
        Scenario(champion=champion, position=next_position + offset, **scenario_fields(spec))
        for offset, spec in enumerate(specs[len(existing) :])
    )
    Scenario.objects.filter(pk__in=[row.pk for row in existing[len(specs) :]]).delete()
    return [*kept, *added]

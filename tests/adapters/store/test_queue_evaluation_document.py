"""A queue rule's evaluation keeps what its message is about across a restart: the queue
it was read on (`subject`) and its named numbers (`facts`), in every store (they share
bot/adapters/store/documents.py)."""

from __future__ import annotations

from bot.adapters.store.documents import decode_evaluation, encode_evaluation
from bot.domain.specs import EvalStatus, Evaluation, Severity


def test_subject_and_facts_survive_the_document_round_trip() -> None:
    evaluation = Evaluation(
        "service-level",
        "bogota",
        EvalStatus.BREACH,
        severity=Severity.WARNING,
        value=0.62,
        threshold=0.8,
        population=48,
        facts=(("inbound", 48.0), ("waiting", 7.0), ("also", 1.0)),
        subject="Ventas",
    )
    assert decode_evaluation(encode_evaluation(evaluation)) == evaluation


def test_a_document_written_before_queue_rules_reads_with_no_subject() -> None:
    document = encode_evaluation(Evaluation("abandon-rate", "bogota", EvalStatus.CLEAR))
    del document["subject"]
    assert decode_evaluation(document).subject == ""

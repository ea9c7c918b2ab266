"""A complete plan that breaks none of the checks, to copy and break one thing at a time."""

from __future__ import annotations

import copy
from typing import Any

GOOD: dict[str, Any] = {
    "a": {
        "views": "Alex likes school when the day is predictable and says the playground is noisy.",
        "interests": "Trains, drawing maps, swimming on Saturdays with Dad.",
        "aspirations": "To go to secondary school with friends and to work on the railways.",
    },
    "b": [
        {
            "id": "B1",
            "area": "communication_interaction",
            "description": "Alex has a diagnosis of autism and finds group conversation hard.",
        },
        {
            "id": "B2",
            "area": "cognition_learning",
            "description": "Reading age about two years below chronological age.",
        },
    ],
    "c": [{"id": "C1", "description": "Sensory sensitivity to noise (OT assessment 2026)."}],
    "d": [{"id": "D1", "description": "Needs support to take part in clubs after school."}],
    "e": [
        {
            "id": "E1",
            "description": "By July 2027 Alex will start and keep a conversation with a peer "
            "for three turns in a structured activity.",
            "time_frame": "By the end of Year 7 (July 2027)",
            "steps": ["Takes turns in a game with an adult", "Takes turns with one peer"],
            "pfa_theme": "community_inclusion",
            "headings": ["I have a choice and am heard", "I am included"],
        },
        {
            "id": "E2",
            "description": "By July 2027 Alex will read a short text at his age level.",
            "time_frame": "July 2027",
            "steps": ["Phonics catch-up", "Reads aloud daily"],
            "pfa_theme": None,
            "headings": ["I achieve my goals"],
        },
    ],
    "f": [
        {
            "id": "F1",
            "what": "Small-group social communication programme led by a trained TA",
            "who": "Teaching assistant trained by the SaLT service",
            "amount": "30 minutes",
            "frequency": "3 times a week",
            "needs": ["B1"],
            "outcomes": ["E1"],
        },
        {
            "id": "F2",
            "what": "Individual structured phonics intervention",
            "who": "Class teacher",
            "amount": "20 minutes",
            "frequency": "daily",
            "needs": ["B2"],
            "outcomes": ["E2"],
        },
    ],
    "g": [
        {
            "id": "G1",
            "what": "Occupational therapy sensory programme",
            "who": "NHS occupational therapist",
            "amount": "6 sessions of 45 minutes",
            "frequency": "once a term",
            "needs": ["C1"],
            "outcomes": ["E1"],
        }
    ],
    "h1": [
        {
            "id": "H1a",
            "what": "Short breaks: a youth club place with a support worker",
            "who": "Children's social care short breaks team",
            "amount": "2 hours",
            "frequency": "weekly",
            "needs": ["D1"],
            "outcomes": ["E1"],
        }
    ],
    "h2": [
        {
            "id": "H2a",
            "what": "Family support worker visits",
            "who": "Early help",
            "amount": "1 hour",
            "frequency": "fortnightly",
            "needs": ["D1"],
            "outcomes": [],
        }
    ],
    "i": {"setting_name": "Oak Academy", "setting_type": "Mainstream secondary academy"},
    "j": {"personal_budget": "1200.00", "arrangements": "Direct payment for short breaks."},
    "k": [
        {
            "advice_request_id": None,
            "advice_type": "parent",
            "contributor": "Parents",
            "received_on": "2026-03-01",
        }
    ],
}


def good(**sections: Any) -> dict[str, Any]:
    """A copy of the complete plan with some sections replaced."""
    content = copy.deepcopy(GOOD)
    content.update(copy.deepcopy(sections))
    return content

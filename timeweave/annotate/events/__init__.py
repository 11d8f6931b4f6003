"""Event mentions: triggers (learned from TimeML), types, participants, place, time, factuality, context.

- `trigger.py`: the trigger model shipped in `timeweave/models/event_trigger.npz`;
- `lexicon.py`: event types from trigger lemmas, and the cue words of factuality;
- `sense.py`: the type of a trigger in its sentence ("execute a plan" is no purge, "agree to" no accord);
- `roles.py`: participants and place from the dependency parse and the entity mentions;
- `anchor.py`: the time expression that governs an event (its clause, sentence, the narrative);
- `derived.py`: dates made from other dates ("two days after the attack", "until 1973", anniversaries);
- `zones.py`: title, heading and citation zones of a document, date lines, sentences;
- `component.py`: the `timeweave_events_v1` spaCy component that sets `doc._.event_mentions`.
"""

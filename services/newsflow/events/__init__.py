"""PLOVER event coding from article text; runs in worker processes.

`coder.EventCoder` is the one entry point. A document flows: sentences.split (regex) →
sentences.is_candidate (trigger word forms, no parse) → spaCy on candidates only →
triggers.find → selection.judge (does the trigger's object fit the act?) →
roles/actors/places/dates/counts/modality per trigger (drafting) → screen (who must be present,
what is no event) → merge of repeated mentions → EventRecord. Word lists live in
events/data/*.yaml.
"""

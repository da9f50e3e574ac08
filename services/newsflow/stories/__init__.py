"""Stories: one record per real-world happening, linked from the event records that report it.

report.py turns an event record into what the resolver keeps; blocks.py gives its blocking
keys; match.py scores a report against an open story; resolve.py decides (a pure function of
the report, the candidate stories and the settings); consensus.py builds the published Story.
The state store runs the decision under a lock on the blocking keys (state/).
"""

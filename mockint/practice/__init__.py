"""The practice loop: spaced repetition of questions (FSRS), readiness per topic, practice for a job description.

Everything here is derived from `sessions/` and the bank: nothing is stored of its own, so nothing can be lost or
disagree with the sessions. Pure apart from the embedding model (`jobs`) and the Claude client (`drafts`), which are
loaded only by the commands that need them.
"""

"""The Textual-free half of a troubleshooting conversation, shared by both shells.

`dialogue` is the conversation's state machine (what to show or ask next), `answer_matching`
reads typed answers, `session_store` saves and resumes sessions, `recording` turns an
investigation into a transcript and back, `report_export` writes a session's report. Nothing
here imports Textual: the TUI renders these, the CLI scripts them.
"""

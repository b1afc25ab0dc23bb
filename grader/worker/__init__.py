"""The untrusted side: code that runs inside the sandboxed worker process.

Everything in this package is public (it ships to students) and imports nothing from the
rest of the grader, so the worker can run with only this folder, the student's file and the
course helpers in view.
"""

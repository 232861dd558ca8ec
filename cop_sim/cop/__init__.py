"""The CoP model: clinicians learn what works from what happens to their patients.

Beliefs that can be wrong, care that teaches through noisy, delayed signals, patients whose
health responds, and meetings in which stories of success and failure are told and heard.
"""

"""Calibration to a CoP's own data by ABC-SMC (pyabc), deterministic and kill-safe.

``spec`` reads and validates a calibration file, ``observe`` turns a run into the statistics
the data measure, ``sampler`` gives pyabc a seeded batch sampler over the project's backends,
``run`` drives ABC-SMC and writes the outputs, ``report`` writes calibration.md and
``recovery`` checks the machinery by parameter recovery. Only ``run``, ``sampler`` and
``recovery`` import pyabc, and only the ``calibrate`` command imports them.
"""

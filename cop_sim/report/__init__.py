"""Reports of sweeps: statistics across replications, contrasts, sensitivity, figures."""


def write_report(results_dir):  # noqa: ANN001, ANN201 - re-export with a lazy import
    """Write ``report.md`` with figures into ``results_dir`` (see :mod:`cop_sim.report.markdown`)."""
    from cop_sim.report.markdown import write_report as _write

    return _write(results_dir)


__all__ = ["write_report"]

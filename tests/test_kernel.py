"""The compile helpers: a cache folder that follows every kernel source."""

from __future__ import annotations

from cop_sim.kernel import cache_dir


def test_cache_folder_changes_with_any_kernel_source_and_only_with_them(tmp_path):
    head = "from cop_sim.kernel import njit\n@njit\n"
    (tmp_path / "a.py").write_text(head + "def f(x):\n    return x\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.py").write_text(head + "def g(x):\n    return f(x)\n")
    (tmp_path / "plain.py").write_text("x = 1\n")
    first = cache_dir(tmp_path, base=str(tmp_path / "cache"))
    assert first.startswith(str(tmp_path / "cache" / "numba-"))
    (tmp_path / "plain.py").write_text("x = 2\n")  # no kernel here: the cache still holds
    assert cache_dir(tmp_path, base=str(tmp_path / "cache")) == first
    # a callee in another file changes: its callers' cached code is stale, so the folder moves
    (tmp_path / "sub" / "b.py").write_text(head + "def g(x):\n    return 2 * x\n")
    assert cache_dir(tmp_path, base=str(tmp_path / "cache")) != first
    # an intrinsic's code is compiled into its callers: a file of intrinsics counts as a kernel source
    second = cache_dir(tmp_path, base=str(tmp_path / "cache"))
    intr = "from numba.extending import intrinsic\n@intrinsic\ndef h(ctx, x):\n    pass\n"
    (tmp_path / "intr.py").write_text(intr)
    assert cache_dir(tmp_path, base=str(tmp_path / "cache")) != second


"""Chapter kernels run with one BLAS thread (issue 18): chapters already execute one per core."""

from __future__ import annotations

import nbformat

from evaluation.build.execute import BLAS_THREAD_VARS, execute_notebook, kernel_env


def test_kernel_env_limits_blas_threads_unless_the_caller_set_them(tmp_path, monkeypatch):
    for var in BLAS_THREAD_VARS:
        monkeypatch.delenv(var, raising=False)
    env = kernel_env(tmp_path, config_dir=tmp_path / "mpl")
    assert all(env[var] == "1" for var in BLAS_THREAD_VARS)
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "2")
    assert kernel_env(tmp_path, config_dir=tmp_path / "mpl")["OPENBLAS_NUM_THREADS"] == "2"


def test_numpy_in_a_chapter_kernel_uses_one_blas_thread(tmp_path, monkeypatch):
    for var in BLAS_THREAD_VARS:
        monkeypatch.delenv(var, raising=False)
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(
        "import numpy, threadpoolctl\n"
        "print(sorted({p['num_threads'] for p in threadpoolctl.threadpool_info() if p['user_api'] == 'blas'}))")]
    for i, cell in enumerate(nb.cells):
        cell.id = f"cell-{i}"
    out = execute_notebook(nb, workspace=tmp_path, cwd=tmp_path, config_dir=tmp_path / "mpl")
    assert out.cells[0].outputs[0]["text"].strip() == "[1]"

"""The synthetic demo evaluation (``peer-eval demo WORKSPACE``): fictional sites and people.

::

    from evaluation.demo import run_demo, load_truth
    result = run_demo("demo-workspace", scale="small")   # submits every file through intake
    truth = load_truth(result.workspace.root)             # the known true effects

Modules: :mod:`.truth` (settings and the known effects), :mod:`.people`
(release episodes and contacts), :mod:`.surveys` (questionnaires),
:mod:`.interviews` (transcripts and coded segments), :mod:`.files` (writing
files the way coordinators do), :mod:`.submit` (the workspace and intake).
Every value is synthetic.
"""

from .submit import PRIMARY_OUTCOMES, DemoFile, DemoResult, run_demo
from .truth import DEFAULT_SEED, SCALES, TRUTH_FILE, Effects, load_truth

__all__ = ["run_demo", "DemoResult", "DemoFile", "PRIMARY_OUTCOMES", "load_truth", "Effects", "SCALES",
           "DEFAULT_SEED", "TRUTH_FILE"]

"""Drop-in modules shaped like the reference packages, so that a harness changes one import:
``from assay.compat import sacrebleu`` in place of ``import sacrebleu``."""

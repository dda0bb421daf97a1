"""The reading order of the gallery pages within each topic folder.

sphinx-gallery sorts the pages of a folder with a key class named in
``conf.py`` (``within_subsection_order``); this one follows ``PAGES``.
A page not listed comes after the listed ones, by file name.
"""

PAGES = [
    "plot_lenet.py",
    "plot_step_through.py",
    "plot_error_location.py",
    "plot_debugger.py",
    "plot_gradients.py",
    "plot_control_flow.py",
    "plot_loops.py",
    "plot_value_loops.py",
    "plot_recursion.py",
    "plot_sharing.py",
    "plot_shared_gradients.py",
    "plot_siamese_training.py",
    "plot_multihead.py",
    "plot_ignore_stale_grad.py",
    "plot_masked_loss.py",
    "plot_shared_module.py",
    "plot_multihead_cost.py",
    "plot_numpy_like.py",
    "plot_learn_one.py",
    "plot_prototyping.py",
    "plot_behind_fit.py",
]


class ReadingOrder:
    """Sort key: position in ``PAGES``, then file name."""

    def __init__(self, src_dir):
        self.src_dir = src_dir

    def __call__(self, filename):
        if filename in PAGES:
            return (PAGES.index(filename), filename)
        return (len(PAGES), filename)

    def __repr__(self):
        return f"<{type(self).__name__}>"

"""Small helpers shared by the gallery pages of *Define-by-Run, Side by Side*.

The pages keep everything they teach (networks, training loops, the bugs
being debugged) in their own code. This package holds only the plumbing
they share:

* :mod:`sidebyside.data` -- MNIST as standard idx files, offline or
  downloaded, with clear errors for missing or corrupt files;
* :mod:`sidebyside.gluon` -- Gluon's ``MNIST`` dataset reading those files;
* :mod:`sidebyside.runtime` -- the one set-up call every page starts with
  (:func:`~sidebyside.runtime.start`: threads, devices and the "what did
  this page run on" report);
* :mod:`sidebyside.style` -- one colour, marker and order per API for
  every figure;
* :mod:`sidebyside.faces` -- synthetic faces with two attributes, and a
  reader of CelebA-style folders;
* :mod:`sidebyside.lenet` -- the benchmark's LeNet in each API, and its
  FLOPs;
* :mod:`sidebyside.bench` -- the benchmark of every LeNet configuration;
* :mod:`sidebyside.load` -- how much CPU other processes used meanwhile;
* :mod:`sidebyside.timers` -- the timer of the pages' training loops;
* :mod:`sidebyside.pagecheck` -- the check of the pages against the
  benchmark;
* :mod:`sidebyside.buildtimes` -- how long the site takes to build;
* :mod:`sidebyside.claims` -- what each page checked, for the claim ledger.
"""

__version__ = "0.1.0"

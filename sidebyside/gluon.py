"""Gluon's ``MNIST`` dataset, reading the idx files of :mod:`sidebyside.data`.

``mxnet.gluon.data.vision.MNIST`` insists on the SHA-1 of the full MNIST and
downloads it again when the files differ. This subclass keeps Gluon's
dataset (indexing, ``transform_first``, ``DataLoader``) and only changes where
the pixels come from.
"""

from __future__ import annotations

import os

import mxnet as mx
import numpy as np
from mxnet.gluon.data import vision

from sidebyside.data import ensure_mnist, read_idx


class MNIST(vision.MNIST):
    """MNIST images (28x28x1 uint8) and labels (int32) as a Gluon dataset.

    ``root`` is the data folder of :func:`sidebyside.data.ensure_mnist`,
    which checks the files and downloads the full MNIST if they are missing.
    """

    def __init__(self, root: str | os.PathLike | None = None,
                 train: bool = True, transform=None):
        self._files = ensure_mnist(root)
        super().__init__(root=str(self._files.directory), train=train,
                         transform=transform)

    def _get_data(self):
        images_path, labels_path = self._files.split(self._train)
        images = read_idx(images_path)[..., np.newaxis]
        self._data = mx.nd.array(images, dtype=np.uint8)
        self._label = read_idx(labels_path).astype(np.int32)

"""Face images with two binary attributes: synthetic, or a CelebA folder.

None of the packages this site installs ships face images labelled with
attributes (scikit-learn's face datasets are downloaded on first use, and
label who is pictured), and the pages build offline, so
:func:`synthetic_faces` draws them: small RGB cartoon faces whose two
attributes, ``Eyeglasses`` and ``Smiling`` (named as in CelebA), are drawn
into the image independently of each other, among features that vary for
no reason (skin tone, hair, eyebrows, background, position, size, tilt,
lighting and sensor noise). The same seed gives the same faces, pixel for
pixel.

:class:`CelebAFolder` reads the real thing, a folder laid out as
``torchvision.datasets.CelebA`` expects it::

    <directory>/list_attr_celeba.txt
    <directory>/img_align_celeba/000001.jpg ...

``list_attr_celeba.txt`` holds the number of images on its first line, the
attribute names on the second, then one line per image: the file name and
one value per attribute, ``1`` (present) or ``-1`` (absent).
``torchvision.datasets.CelebA`` itself accepts only the complete download
(it checks the MD5 of five annotation files); :class:`CelebAFolder` needs
only the attribute list and the images, so it also reads a subset. A
missing or malformed folder raises :class:`~sidebyside.data.DatasetError`
naming the file and the fix. Both sources give the same :class:`Faces`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from sidebyside.data import DatasetError

#: The two attributes drawn by :func:`synthetic_faces`, in column order.
ATTRIBUTES = ("Eyeglasses", "Smiling")

#: File and folder names of a CelebA folder (as in torchvision's layout).
ATTRIBUTE_FILE = "list_attr_celeba.txt"
IMAGE_FOLDER = "img_align_celeba"

_CELEBA_HINT = (
    f"download CelebA's aligned images ({IMAGE_FOLDER}.zip) and "
    f"{ATTRIBUTE_FILE}, and unpack them so that <directory>/{IMAGE_FOLDER}/ "
    f"and <directory>/{ATTRIBUTE_FILE} exist")

# Supersampling: faces are drawn this many times larger, then averaged
# down, which smooths their edges as a camera would.
_SUPERSAMPLE = 4
_SKIN_LIGHT = np.array([250, 222, 196])
_SKIN_DARK = np.array([95, 60, 42])
_HAIR_COLOURS = np.array([[30, 24, 20], [90, 56, 30], [200, 160, 90],
                          [150, 150, 150], [160, 70, 30]])
_FRAME_COLOURS = np.array([[20, 20, 20], [70, 40, 20], [30, 40, 110],
                           [120, 120, 130], [130, 20, 30]])


@dataclass(frozen=True)
class Faces:
    """Face images and their binary attributes.

    ``images`` has shape ``(N, H, W, 3)`` and dtype ``uint8`` (the layout of
    PIL and of image files); ``attributes`` has shape ``(N, len(names))``,
    dtype ``int64``, 1 where the attribute is present and 0 where absent.
    """

    images: np.ndarray
    attributes: np.ndarray
    names: tuple[str, ...]

    def __post_init__(self):
        if self.images.ndim != 4 or self.images.shape[-1] != 3:
            raise ValueError("images must have shape (N, H, W, 3), got "
                             f"{self.images.shape}")
        if self.attributes.shape != (len(self.images), len(self.names)):
            raise ValueError(
                f"attributes must have shape ({len(self.images)}, "
                f"{len(self.names)}), got {self.attributes.shape}")

    def __len__(self) -> int:
        return len(self.images)

    def column(self, name: str) -> np.ndarray:
        """The 0/1 labels of one attribute, e.g. ``column("Smiling")``."""
        if name not in self.names:
            raise KeyError(f"no attribute {name!r}; these faces have "
                           f"{', '.join(self.names)}")
        return self.attributes[:, self.names.index(name)]

    def subset(self, index) -> Faces:
        """The faces selected by ``index`` (a slice or array of indices)."""
        return Faces(self.images[index], self.attributes[index], self.names)


# -------------------------------------------------------- synthetic faces
def synthetic_faces(num_faces: int, seed: int = 0, size: int = 32) -> Faces:
    """Draw ``num_faces`` faces of ``size`` x ``size`` RGB pixels.

    Each face wears eyeglasses with probability 1/2 and smiles with
    probability 1/2, independently; everything else about it is drawn at
    random too, in the same way whatever its attributes. The same ``seed``
    (and size) gives identical faces.
    """
    if num_faces < 0:
        raise ValueError(f"num_faces must be at least 0, got {num_faces}")
    if size < 16:
        raise ValueError(f"size must be at least 16 pixels, got {size}")
    rng = np.random.default_rng(seed)
    attributes = (rng.random((num_faces, len(ATTRIBUTES))) < 0.5)
    images = np.empty((num_faces, size, size, 3), np.uint8)
    for i, (eyeglasses, smiling) in enumerate(attributes):
        images[i] = _draw_face(rng, bool(eyeglasses), bool(smiling), size)
    return Faces(images, attributes.astype(np.int64), ATTRIBUTES)


def _colour(rgb) -> tuple[int, int, int]:
    return tuple(min(255, max(0, int(c))) for c in rgb)


def _draw_face(rng: np.random.Generator, eyeglasses: bool, smiling: bool,
               size: int) -> np.ndarray:
    """One face as a ``(size, size, 3)`` uint8 array."""
    side = size * _SUPERSAMPLE
    u = side / 100  # drawing unit: 1 % of the canvas
    background = rng.integers(40, 230, 3)
    skin = _SKIN_LIGHT + rng.random() * (_SKIN_DARK - _SKIN_LIGHT)
    skin = skin + rng.normal(0, 8, 3)
    hair = _HAIR_COLOURS[rng.integers(len(_HAIR_COLOURS))] \
        + rng.normal(0, 12, 3)
    image = Image.new("RGB", (side, side), _colour(background))
    draw = ImageDraw.Draw(image)

    # head: centre, half-width a and half-height b, in drawing units
    a = rng.uniform(24, 31) * u
    b = a * rng.uniform(1.15, 1.3)
    cx = side / 2 + rng.uniform(-7, 7) * u
    cy = side / 2 + rng.uniform(-3, 6) * u
    hair_top = cy - b - rng.uniform(2, 8) * u
    draw.ellipse([cx - 1.1 * a, hair_top, cx + 1.1 * a,
                  cy + b * rng.uniform(0.2, 0.9)], fill=_colour(hair))
    draw.ellipse([cx - a, cy - b, cx + a, cy + b], fill=_colour(skin))
    # the fringe: a chord across the forehead, at 25 to 45 degrees
    fringe = rng.uniform(25, 45)
    draw.chord([cx - a, cy - b, cx + a, cy + b], 180 + fringe,
               360 - fringe, fill=_colour(hair))

    # eyes, eyebrows and nose
    eye_y = cy - b * rng.uniform(0.12, 0.22)
    eye_dx = a * rng.uniform(0.36, 0.46)
    eye_r = a * 0.09
    brow_y = eye_y - a * rng.uniform(0.22, 0.34)
    brow_tilt = a * rng.uniform(-0.08, 0.08)
    for side_sign in (-1, 1):
        ex = cx + side_sign * eye_dx
        draw.ellipse([ex - eye_r, eye_y - eye_r, ex + eye_r, eye_y + eye_r],
                     fill=(25, 20, 20))
        draw.line([ex - 0.2 * a, brow_y + side_sign * brow_tilt,
                   ex + 0.2 * a, brow_y - side_sign * brow_tilt],
                  fill=_colour(hair * 0.8), width=max(1, round(0.07 * a)))
    nose_shadow = _colour(skin * 0.75)
    draw.line([cx, eye_y + 0.1 * a, cx + 0.05 * a, cy + 0.2 * b],
              fill=nose_shadow, width=max(1, round(0.05 * a)))

    # mouth and glasses: every random value is drawn whatever the
    # attributes, so that flipping one changes the mouth or the glasses only
    mouth_y = cy + b * rng.uniform(0.42, 0.52)
    half_width = a * rng.uniform(0.28, 0.4)
    lips = _colour(np.array([150, 40, 50]) + rng.normal(0, 15, 3))
    smile_depth = a * rng.uniform(0.14, 0.24)
    open_mouth = rng.random() < 0.25  # when not smiling: an "o"
    o_radius = a * rng.uniform(0.07, 0.12)
    curve = a * rng.uniform(-0.1, 0.02)  # when not smiling: flat or down
    frame = _colour(_FRAME_COLOURS[rng.integers(len(_FRAME_COLOURS))]
                    + rng.normal(0, 10, 3))
    lens_r = a * rng.uniform(0.24, 0.32)
    frame_width = max(1, round(a * rng.uniform(0.06, 0.1)))

    # a smile is open, its corners up
    if smiling:
        draw.pieslice([cx - half_width, mouth_y - smile_depth,
                       cx + half_width, mouth_y + smile_depth], 0, 180,
                      fill=(70, 15, 25), outline=lips,
                      width=max(1, round(0.05 * a)))
        teeth_y = mouth_y + 0.1 * smile_depth
        draw.line([cx - 0.8 * half_width, teeth_y,
                   cx + 0.8 * half_width, teeth_y],
                  fill=(235, 235, 225), width=max(1, round(0.06 * a)))
    elif open_mouth:
        draw.ellipse([cx - o_radius, mouth_y - o_radius, cx + o_radius,
                      mouth_y + 1.3 * o_radius], fill=(70, 15, 25),
                     outline=lips, width=max(1, round(0.05 * a)))
    else:
        points = [(cx + x * half_width, mouth_y - curve * x * x)
                  for x in np.linspace(-1, 1, 9)]
        draw.line(points, fill=lips, width=max(1, round(0.08 * a)),
                  joint="curve")

    # glasses: two rims, a bridge and the temples
    if eyeglasses:
        for side_sign in (-1, 1):
            ex = cx + side_sign * eye_dx
            draw.ellipse([ex - lens_r, eye_y - lens_r * 0.85,
                          ex + lens_r, eye_y + lens_r * 0.85],
                         outline=frame, width=frame_width)
            draw.line([ex + side_sign * lens_r, eye_y,
                       cx + side_sign * a, eye_y - 0.05 * a],
                      fill=frame, width=frame_width)
        draw.line([cx - eye_dx + lens_r, eye_y, cx + eye_dx - lens_r, eye_y],
                  fill=frame, width=frame_width)

    # a tilted head; the averaging below smooths the nearest-pixel rotation
    image = image.rotate(rng.uniform(-12, 12), resample=Image.NEAREST,
                         fillcolor=_colour(background))
    pixels = np.asarray(image.reduce(_SUPERSAMPLE), np.float32)
    pixels = pixels * rng.uniform(0.75, 1.15)  # lighting
    pixels += rng.normal(0, rng.uniform(2, 10), pixels.shape)  # sensor noise
    return np.clip(np.rint(pixels), 0, 255).astype(np.uint8)


# ------------------------------------------------------------ CelebA files
def read_attribute_list(path: str | os.PathLike
                        ) -> tuple[list[str], tuple[str, ...], np.ndarray]:
    """Read a CelebA attribute list: file names, attribute names, values.

    The values come back as an ``int64`` array of shape ``(images,
    attributes)`` holding 1 and -1, as in the file. Raises
    :class:`~sidebyside.data.DatasetError`, naming the file, the line and
    the fix, when the file is missing or malformed.
    """
    path = Path(path)
    if not path.is_file():
        raise DatasetError(f"{path} is missing. Fix: {_CELEBA_HINT}.")
    lines = path.read_text(encoding="utf-8").splitlines()
    fix = (f"Fix: replace {path.name} with the file of the CelebA download "
           "(Anno/list_attr_celeba.txt) or a subset of its lines that keeps "
           "its first two lines, with the count corrected")
    if len(lines) < 2:
        raise DatasetError(f"{path} is malformed: it needs a count on line 1 "
                           f"and attribute names on line 2, but has "
                           f"{len(lines)} line(s). {fix}.")
    try:
        count = int(lines[0])
    except ValueError:
        raise DatasetError(f"{path} is malformed: line 1 should be the "
                           f"number of images, found {lines[0][:40]!r}. "
                           f"{fix}.") from None
    names = tuple(lines[1].split())
    if not names or len(set(names)) != len(names):
        raise DatasetError(f"{path} is malformed: line 2 should list "
                           f"distinct attribute names, found "
                           f"{lines[1][:60]!r}. {fix}.")
    filenames, values = [], []
    for number, line in enumerate(lines[2:], start=3):
        fields = line.split()
        if not fields:
            continue
        if len(fields) != len(names) + 1 or \
                any(value not in ("1", "-1") for value in fields[1:]):
            raise DatasetError(
                f"{path} is malformed: line {number} should be a file name "
                f"and {len(names)} values of 1 or -1, found "
                f"{line[:60]!r}. {fix}.")
        filenames.append(fields[0])
        values.append([int(value) for value in fields[1:]])
    if len(filenames) != count:
        raise DatasetError(f"{path} is malformed: line 1 announces {count} "
                           f"images but {len(filenames)} follow. {fix}.")
    array = np.array(values, np.int64).reshape(len(filenames), len(names))
    return filenames, names, array


def write_celeba_folder(directory: str | os.PathLike, faces: Faces) -> Path:
    """Write ``faces`` as a CelebA folder: PNG images and the attribute list.

    The images are named ``000001.png``, ``000002.png``... A folder to try
    :class:`CelebAFolder` on, or to test code written for CelebA.
    """
    directory = Path(directory)
    (directory / IMAGE_FOLDER).mkdir(parents=True, exist_ok=True)
    lines = [str(len(faces)), " ".join(faces.names)]
    for number, (image, attributes) in enumerate(
            zip(faces.images, faces.attributes), start=1):
        filename = f"{number:06d}.png"
        Image.fromarray(image).save(directory / IMAGE_FOLDER / filename)
        values = " ".join("1" if value else "-1" for value in attributes)
        lines.append(f"{filename} {values}")
    (directory / ATTRIBUTE_FILE).write_text("\n".join(lines) + "\n",
                                            encoding="utf-8")
    return directory


class CelebAFolder:
    """The faces of a CelebA folder, as a dataset of ``(image, labels)``.

    ``directory`` holds ``list_attr_celeba.txt`` and ``img_align_celeba/``
    (for ``torchvision.datasets.CelebA(root)`` that is ``root/celeba``).
    Item ``i`` is the image as a ``(H, W, 3)`` uint8 array (passed through
    ``transform`` if given) and the 0/1 labels of ``attributes`` as an
    ``int64`` array. With ``size``, each image is cropped to a centred square
    and resized to ``size`` x ``size`` pixels. Images are read when asked
    for, with PIL, so the dataset suits ``torch.utils.data.DataLoader`` and
    ``mxnet.gluon.data.DataLoader`` alike; :meth:`load` reads them all into
    :class:`Faces`.
    """

    def __init__(self, directory: str | os.PathLike,
                 attributes: tuple[str, ...] = ATTRIBUTES,
                 size: int | None = None, transform=None):
        self.directory = Path(directory).expanduser()
        if not self.directory.is_dir():
            raise DatasetError(f"{self.directory} does not exist or is not a "
                               f"folder. Fix: {_CELEBA_HINT}.")
        self.image_folder = self.directory / IMAGE_FOLDER
        if not self.image_folder.is_dir():
            raise DatasetError(f"{self.image_folder} is missing. Fix: "
                               f"{_CELEBA_HINT}.")
        self.attribute_file = self.directory / ATTRIBUTE_FILE
        filenames, names, values = read_attribute_list(self.attribute_file)
        unknown = [name for name in attributes if name not in names]
        if unknown:
            raise DatasetError(
                f"{self.attribute_file} has no attribute "
                f"{', '.join(map(repr, unknown))}. Fix: choose among "
                f"{', '.join(names)}.")
        columns = [names.index(name) for name in attributes]
        self.filenames = filenames
        self.names = tuple(attributes)
        self.attributes = (values[:, columns] > 0).astype(np.int64)
        self.size = size
        self.transform = transform

    def __len__(self) -> int:
        return len(self.filenames)

    def __getitem__(self, index: int):
        pixels = self._read(index)
        if self.transform is not None:
            pixels = self.transform(pixels)
        return pixels, self.attributes[index].copy()

    def load(self) -> Faces:
        """Every image (without ``transform``) and its labels, as
        :class:`Faces`; the images must share one size, so pass ``size``."""
        if self.size is None and len(self) > 0:
            raise ValueError("load() stacks the images, so they must have "
                             "one size: pass size=... to CelebAFolder")
        size = self.size or 0
        images = np.empty((len(self), size, size, 3), np.uint8)
        for index in range(len(self)):
            images[index] = self._read(index)
        return Faces(images, self.attributes.copy(), self.names)

    def _read(self, index: int) -> np.ndarray:
        path = self.image_folder / self.filenames[index]
        try:
            with Image.open(path) as image:
                image = image.convert("RGB")
        except FileNotFoundError:
            raise DatasetError(
                f"{path} is missing, though {self.attribute_file.name} lists "
                f"it. Fix: unpack all of {IMAGE_FOLDER}.zip into "
                f"{self.image_folder}, or delete its line from "
                f"{self.attribute_file} (and correct the count on line "
                "1).") from None
        except OSError as error:
            raise DatasetError(f"{path} is not a readable image ({error}). "
                               "Fix: unpack it again from "
                               f"{IMAGE_FOLDER}.zip.") from None
        if self.size is not None:
            image = _square(image, self.size)
        return np.array(image, np.uint8)


def _square(image: Image.Image, size: int) -> Image.Image:
    """Crop the centred square of ``image`` and resize it to ``size``."""
    width, height = image.size
    side = min(width, height)
    left, top = (width - side) // 2, (height - side) // 2
    return image.resize((size, size), Image.BILINEAR,
                        box=(left, top, left + side, top + side))

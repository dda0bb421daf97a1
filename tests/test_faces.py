"""Unit tests of sidebyside.faces: the face generator and the CelebA reader."""

import subprocess
import sys
import textwrap

import numpy as np
import pytest
from PIL import Image

from sidebyside import faces
from sidebyside.data import DatasetError


@pytest.fixture(scope="module")
def many_faces():
    return faces.synthetic_faces(2000, seed=0)


# ---------------------------------------------------------------- generator
def test_same_seed_same_faces():
    first = faces.synthetic_faces(40, seed=7)
    again = faces.synthetic_faces(40, seed=7)
    np.testing.assert_array_equal(first.images, again.images)
    np.testing.assert_array_equal(first.attributes, again.attributes)
    other = faces.synthetic_faces(40, seed=8)
    assert not np.array_equal(first.images, other.images)


def test_shapes_and_dtypes():
    for size in (16, 32, 48):
        drawn = faces.synthetic_faces(5, seed=1, size=size)
        assert drawn.images.shape == (5, size, size, 3)
        assert drawn.images.dtype == np.uint8
        assert drawn.attributes.shape == (5, 2)
        assert drawn.attributes.dtype == np.int64
        assert drawn.names == faces.ATTRIBUTES == ("Eyeglasses", "Smiling")
        assert len(drawn) == 5
    empty = faces.synthetic_faces(0)
    assert empty.images.shape == (0, 32, 32, 3)


def test_attributes_are_balanced_and_independent(many_faces):
    attributes = many_faces.attributes
    assert set(np.unique(attributes)) == {0, 1}
    assert np.all(np.abs(attributes.mean(axis=0) - 0.5) < 0.03)
    # each of the four combinations about a quarter of the faces
    combination = 2 * attributes[:, 0] + attributes[:, 1]
    shares = np.bincount(combination, minlength=4) / len(attributes)
    assert np.all(np.abs(shares - 0.25) < 0.03), shares
    correlation = np.corrcoef(attributes.T)[0, 1]
    assert abs(correlation) < 0.05, correlation


def test_images_vary(many_faces):
    images = many_faces.images.astype(np.float32)
    # backgrounds, skin tones and lighting differ from face to face
    assert images.mean(axis=(1, 2, 3)).std() > 15
    assert len({image.tobytes() for image in many_faces.images}) == 2000
    # the mean face is a blur, not one fixed drawing
    assert images.std(axis=0).mean() > 30


@pytest.mark.parametrize("seed", range(10))
def test_each_attribute_is_drawn_where_it_belongs(seed):
    # The same random draws with one attribute flipped: glasses change the
    # upper half of the face only, a smile the lower half only.
    size = 32

    def draw(eyeglasses, smiling):
        rng = np.random.default_rng(seed)
        return faces._draw_face(rng, eyeglasses, smiling, size) \
            .astype(np.int16)

    plain = draw(False, False)
    glasses_rows = np.flatnonzero(np.abs(draw(True, False) - plain).sum(
        axis=(1, 2)))
    smile_rows = np.flatnonzero(np.abs(draw(False, True) - plain).sum(
        axis=(1, 2)))
    assert len(glasses_rows) >= 3 and len(smile_rows) >= 2
    assert 0.2 * size < glasses_rows.min() and \
        glasses_rows.max() < 0.7 * size
    assert 0.5 * size < smile_rows.min() and smile_rows.max() < 0.9 * size


def test_generator_refuses_bad_arguments():
    with pytest.raises(ValueError, match="num_faces"):
        faces.synthetic_faces(-1)
    with pytest.raises(ValueError, match="at least 16 pixels"):
        faces.synthetic_faces(3, size=8)


def test_faces_column_subset_and_checks():
    drawn = faces.synthetic_faces(10, seed=2)
    np.testing.assert_array_equal(drawn.column("Smiling"),
                                  drawn.attributes[:, 1])
    part = drawn.subset(slice(2, 5))
    assert len(part) == 3
    np.testing.assert_array_equal(part.images, drawn.images[2:5])
    with pytest.raises(KeyError, match="no attribute 'Male'"):
        drawn.column("Male")
    with pytest.raises(ValueError, match=r"\(N, H, W, 3\)"):
        faces.Faces(drawn.images[..., 0], drawn.attributes, drawn.names)
    with pytest.raises(ValueError, match="attributes must have shape"):
        faces.Faces(drawn.images, drawn.attributes[:, :1], drawn.names)


# ------------------------------------------------------------ CelebA folder
CELEBA_TEXT = """3
5_o_Clock_Shadow Eyeglasses Male Smiling 
000001.jpg -1  1  1 -1
000002.jpg  1 -1 -1  1
000003.jpg -1  1 -1  1
"""


@pytest.fixture
def celeba_dir(tmp_path):
    """Three JPEG faces of 40x50 pixels and CelebA's own spacing."""
    directory = tmp_path / "celeba"
    (directory / faces.IMAGE_FOLDER).mkdir(parents=True)
    rng = np.random.default_rng(0)
    for number in range(1, 4):
        pixels = rng.integers(0, 256, (50, 40, 3), dtype=np.uint8)
        Image.fromarray(pixels).save(
            directory / faces.IMAGE_FOLDER / f"{number:06d}.jpg")
    (directory / faces.ATTRIBUTE_FILE).write_text(CELEBA_TEXT)
    return directory


def test_read_attribute_list(celeba_dir):
    filenames, names, values = faces.read_attribute_list(
        celeba_dir / faces.ATTRIBUTE_FILE)
    assert filenames == ["000001.jpg", "000002.jpg", "000003.jpg"]
    assert names == ("5_o_Clock_Shadow", "Eyeglasses", "Male", "Smiling")
    np.testing.assert_array_equal(values, [[-1, 1, 1, -1], [1, -1, -1, 1],
                                           [-1, 1, -1, 1]])


def test_celeba_folder_reads_images_and_chosen_attributes(celeba_dir):
    dataset = faces.CelebAFolder(celeba_dir)
    assert len(dataset) == 3
    assert dataset.names == ("Eyeglasses", "Smiling")
    np.testing.assert_array_equal(dataset.attributes,
                                  [[1, 0], [0, 1], [1, 1]])
    image, labels = dataset[1]
    assert image.shape == (50, 40, 3) and image.dtype == np.uint8
    np.testing.assert_array_equal(
        image, np.asarray(Image.open(
            celeba_dir / faces.IMAGE_FOLDER / "000002.jpg")))
    np.testing.assert_array_equal(labels, [0, 1])
    reordered = faces.CelebAFolder(celeba_dir,
                                   attributes=("Smiling", "Male"))
    np.testing.assert_array_equal(reordered[0][1], [0, 1])


def test_celeba_folder_crops_and_resizes(celeba_dir):
    dataset = faces.CelebAFolder(celeba_dir, size=16)
    image, _ = dataset[0]
    assert image.shape == (16, 16, 3)
    loaded = dataset.load()
    assert loaded.images.shape == (3, 16, 16, 3)
    assert loaded.names == ("Eyeglasses", "Smiling")
    np.testing.assert_array_equal(loaded.images[0], image)
    with pytest.raises(ValueError, match="pass size="):
        faces.CelebAFolder(celeba_dir).load()


def test_written_folder_reads_back_exactly(tmp_path):
    drawn = faces.synthetic_faces(7, seed=3)
    faces.write_celeba_folder(tmp_path, drawn)
    lines = (tmp_path / faces.ATTRIBUTE_FILE).read_text().splitlines()
    assert lines[:2] == ["7", "Eyeglasses Smiling"]
    read = faces.CelebAFolder(tmp_path, size=32).load()
    np.testing.assert_array_equal(read.images, drawn.images)
    np.testing.assert_array_equal(read.attributes, drawn.attributes)


def test_torch_data_loader_batches_a_celeba_folder(celeba_dir):
    torch = pytest.importorskip("torch")
    dataset = faces.CelebAFolder(
        celeba_dir, size=16,
        transform=lambda image: torch.from_numpy(image).permute(2, 0, 1))
    loader = torch.utils.data.DataLoader(dataset, batch_size=2)
    images, labels = next(iter(loader))
    assert images.shape == (2, 3, 16, 16) and images.dtype == torch.uint8
    assert labels.tolist() == [[1, 0], [0, 1]]


def test_torchvision_celeba_refuses_a_partial_folder(celeba_dir):
    # Why CelebAFolder exists: torchvision's CelebA wants the full download.
    torchvision = pytest.importorskip("torchvision")
    with pytest.raises(RuntimeError, match="not found or corrupted"):
        torchvision.datasets.CelebA(celeba_dir.parent)


def test_gluon_data_loader_batches_a_celeba_folder(celeba_dir):
    # In a process of its own: MXNet and PyTorch stay apart.
    script = textwrap.dedent(f"""
        from mxnet import gluon
        from sidebyside.faces import CelebAFolder
        dataset = CelebAFolder({str(celeba_dir)!r}, size=16)
        images, labels = next(iter(gluon.data.DataLoader(dataset,
                                                         batch_size=3)))
        print(images.shape, labels.asnumpy().tolist())
    """)
    result = subprocess.run([sys.executable, "-c", script], text=True,
                            capture_output=True, check=True)
    assert result.stdout.strip() == "(3, 16, 16, 3) [[1, 0], [0, 1], [1, 1]]"


# ------------------------------------------------------------------ errors
def test_missing_folder_names_it_and_the_fix(tmp_path):
    with pytest.raises(DatasetError) as error:
        faces.CelebAFolder(tmp_path / "celeba")
    message = str(error.value)
    assert str(tmp_path / "celeba") in message
    assert "does not exist" in message
    assert "Fix: download CelebA" in message


def test_missing_image_folder_or_attribute_file(celeba_dir):
    (celeba_dir / faces.ATTRIBUTE_FILE).unlink()
    with pytest.raises(DatasetError) as error:
        faces.CelebAFolder(celeba_dir)
    assert f"{celeba_dir / faces.ATTRIBUTE_FILE} is missing" in \
        str(error.value)
    assert "Fix:" in str(error.value)
    for image in (celeba_dir / faces.IMAGE_FOLDER).iterdir():
        image.unlink()
    (celeba_dir / faces.IMAGE_FOLDER).rmdir()
    with pytest.raises(DatasetError,
                       match=f"{faces.IMAGE_FOLDER} is missing. Fix:"):
        faces.CelebAFolder(celeba_dir)


@pytest.mark.parametrize("text, symptom", [
    ("", "has 0 line"),
    ("three\nEyeglasses Smiling\n", "line 1 should be the number"),
    ("1\n\nx.jpg 1\n", "line 2 should list distinct attribute names"),
    ("1\nSmiling Smiling\nx.jpg 1 1\n", "distinct attribute names"),
    ("1\nEyeglasses Smiling\nx.jpg 1\n", "line 3 should be a file name"),
    ("1\nEyeglasses Smiling\nx.jpg 1 0\n", "values of 1 or -1"),
    ("2\nEyeglasses Smiling\nx.jpg 1 -1\n", "announces 2 images but 1"),
], ids=["empty", "count not a number", "no names", "duplicate names",
        "values missing", "value 0", "count mismatch"])
def test_malformed_attribute_list_names_file_line_and_fix(tmp_path, text,
                                                          symptom):
    path = tmp_path / faces.ATTRIBUTE_FILE
    path.write_text(text)
    with pytest.raises(DatasetError) as error:
        faces.read_attribute_list(path)
    message = str(error.value)
    assert f"{path} is malformed" in message
    assert symptom in message
    assert "Fix:" in message


def test_unknown_attribute_lists_the_known_ones(celeba_dir):
    with pytest.raises(DatasetError) as error:
        faces.CelebAFolder(celeba_dir, attributes=("Eyeglasses", "Glasses"))
    message = str(error.value)
    assert "has no attribute 'Glasses'" in message
    assert "Fix: choose among 5_o_Clock_Shadow, Eyeglasses" in message


def test_missing_or_corrupt_image_is_named(celeba_dir):
    dataset = faces.CelebAFolder(celeba_dir)
    missing = celeba_dir / faces.IMAGE_FOLDER / "000002.jpg"
    missing.unlink()
    with pytest.raises(DatasetError) as error:
        dataset[1]
    assert f"{missing} is missing, though list_attr_celeba.txt lists it" \
        in str(error.value)
    corrupt = celeba_dir / faces.IMAGE_FOLDER / "000003.jpg"
    corrupt.write_bytes(b"not a jpeg")
    with pytest.raises(DatasetError,
                       match="000003.jpg is not a readable image"):
        dataset[2]
    assert dataset[0][0].shape == (50, 40, 3)

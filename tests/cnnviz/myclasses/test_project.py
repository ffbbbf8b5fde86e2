"""Classes and images of a project: names, additions, removals, bad input, the quota."""

import io
import zipfile

import numpy as np
import pytest

from cnnviz import myclasses, workspaces
from cnnviz.errors import InputError
from tests.cnnviz.myclasses.conftest import picture, png


def test_classes_are_made_renamed_and_deleted_and_survive_a_new_project_object(project):
    a = project.add_class("thumbs up")
    b = project.add_class("thumbs down")
    project.rename_class(b, "flat hand")
    again = myclasses.Project(project.workspace, base=project.base)  # a reload
    assert [(c.id, c.name, c.count) for c in again.classes()] == [
        (a, "thumbs up", 0),
        (b, "flat hand", 0),
    ]
    again.delete_class(a)
    assert project.class_names() == ["flat hand"]


@pytest.mark.parametrize(
    "name, message",
    [
        ("", "Give the class a name"),
        ("   ", "Give the class a name"),
        ("a/b", "cannot name a class"),
        ("..", "cannot name a class"),
        ("x" * 41, "at most 40 characters"),
    ],
)
def test_unusable_class_names_are_refused(project, name, message):
    with pytest.raises(InputError, match=message):
        project.add_class(name)


def test_a_taken_name_is_refused_whatever_its_case(project):
    project.add_class("Cats")
    with pytest.raises(InputError, match="already a class"):
        project.add_class(" cats ")


def test_images_are_stored_small_with_thumbnails_oldest_first(project):
    c = project.add_class("c")
    big = picture(100, size=(600, 900))
    added = project.add_images(c, [("big.png", big), ("small.png", png(50))])
    assert added.added == 2 and added.skipped == []
    ids = project.image_ids(c)
    assert len(ids) == 2 and ids == sorted(ids)
    from cnnviz.myclasses import pictures

    stored = pictures.read(project.image_path(c, ids[0]))
    assert max(stored.shape[:2]) == myclasses.STORED_SIDE and stored.shape[:2] == (149, 224)
    thumbs = project.thumbnails(c)
    assert [i for i, _ in thumbs] == ids
    assert all(len(t) < 4000 for _, t in thumbs)
    assert project.classes()[0].count == 2
    assert big.shape == (600, 900, 3)  # the caller's array is not changed


def test_non_images_are_skipped_with_their_name_and_the_rest_added(project):
    c = project.add_class("c")
    added = project.add_images(
        c, [("notes.txt", b"hello, not a picture"), ("ok.png", png(80)), ("empty.jpg", b"")]
    )
    assert added.added == 1
    assert len(added.skipped) == 2
    assert added.skipped[0].startswith("notes.txt: ")
    assert added.skipped[1].startswith("empty.jpg: ")
    with pytest.raises(InputError, match=r"notes\.txt"):
        project.add_images(c, [("notes.txt", b"hello")], on_error="raise")


def test_a_huge_image_is_refused_with_a_message(project):
    import cv2

    c = project.add_class("c")
    # 8000 x 6000 = 48 megapixels, above the decoder's cap; PNG of a flat image is small.
    _ok, buf = cv2.imencode(".png", np.zeros((6000, 8000, 3), np.uint8))
    added = project.add_images(c, [("huge.png", buf.tobytes())])
    assert added.added == 0
    assert "huge.png" in added.skipped[0] and "pixels" in added.skipped[0]


def test_removing_images(project):
    c = project.add_class("c")
    project.add_images(c, [(f"{i}.png", png(10 * i, i)) for i in range(4)])
    ids = project.image_ids(c)
    assert project.remove_images(c, ids[:3]) == 3
    assert project.image_ids(c) == ids[3:]
    assert not project.thumb_path(c, ids[0]).exists()
    with pytest.raises(InputError):
        project.remove_images(c, ["../../etc/passwd"])


def test_the_quota_stops_an_addition_with_a_message_and_writes_nothing(project, monkeypatch):
    c = project.add_class("c")
    monkeypatch.setenv("CNNVIZ_QUOTA_MB", "0.2")  # a few noisy 224-px JPEGs fill it
    rng = np.random.default_rng(0)
    with pytest.raises(InputError, match="workspace is full"):
        for i in range(20):
            project.add_images(c, [(f"{i}.png", rng.integers(0, 255, (224, 224, 3), np.uint8))])
    assert 0 < len(project.image_ids(c)) < 20
    assert i < 19


def test_a_zip_of_class_folders_makes_the_classes_and_adds_every_split(project):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for i in range(3):
            zf.writestr(f"set/train/cats/{i}.png", png(30, i))
            zf.writestr(f"set/train/dogs/{i}.png", png(200, i))
        zf.writestr("set/validation/cats/v.png", png(30, 9))
        zf.writestr("set/train/dogs/broken.png", b"not a png")
    cats = project.add_class("Cats")
    result = myclasses.add_zip(project, buf.getvalue())
    assert result.added == 7 and result.classes_made == ["dogs"]
    assert len(result.skipped) == 1 and "broken.png" in result.skipped[0]
    assert {c.name: c.count for c in project.classes()} == {"Cats": 4, "dogs": 3}
    assert project.class_id("cats") == cats


def test_an_unsafe_zip_is_refused_before_anything_is_kept(project):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("cats/1.png", png(30))
        zf.writestr("../evil/2.png", png(30))
    with pytest.raises(InputError):
        myclasses.add_zip(project, buf.getvalue())
    assert project.classes() == []


def test_the_dataset_zip_is_in_the_course_layout_and_datasets_reads_it_back(project, tmp_path):
    from cnnviz import datasets

    a = project.add_class("dark")
    b = project.add_class("bright")
    project.add_images(a, [(f"{i}.png", png(40, i)) for i in range(6)])
    project.add_images(b, [(f"{i}.png", png(210, i)) for i in range(6)])
    data = myclasses.dataset_zip_bytes(project)
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert len(names) == 12 and all(n.startswith(("train/dark/", "train/bright/")) for n in names)
    ds = datasets.from_zip(data, tmp_path, image_size=64, keep=None)
    assert sorted(ds.class_names) == ["bright", "dark"]
    assert len(ds.x_train) + len(ds.x_test) == 12


def test_a_project_belongs_to_its_workspace(project):
    project.add_images(project.add_class("c"), [("1.png", png(10))])
    other = myclasses.Project(workspaces.Workspace(workspaces.new_key()))
    assert other.classes() == []
    assert str(project.folder).startswith(str(project.workspace.folder))

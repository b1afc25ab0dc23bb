"""Finding submissions: every layout, Canvas names, zips, and nothing skipped silently."""

import zipfile

from grader.batch.discover import discover, student_name


def write(path, text="def sigmoid(x):\n    return x\n"):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def zip_of(archive, files):
    with zipfile.ZipFile(archive, "w") as zf:
        for name, text in files.items():
            zf.writestr(name, text)
    return archive


def test_canvas_names_give_the_student_id():
    assert student_name("lastname_12345_67890_word2vec.py") == "12345"
    assert student_name("vanrossum_late_12345_67890_word2vec-1.py") == "12345"
    assert student_name("lastname_12345_67890_hw2.zip") == "12345"
    assert student_name("ada_lovelace.py") == "ada_lovelace"
    assert student_name("ada") == "ada"


def test_folders_loose_files_and_canvas_names(tmp_path):
    root = tmp_path / "class"
    write(root / "ada" / "word2vec.py")
    write(root / "bob" / "hw" / "word2vec.py")            # one level down
    write(root / "cy" / "anything.py")                     # the only file: graded
    write(root / "dee" / "word2vec.ipynb", "{}")
    write(root / "eve.py")
    write(root / "smith_12345_67890_word2vec.py")
    found = discover(root, tmp_path / "unpacked")
    got = {e.student: e.path.relative_to(root).as_posix() for e in found.entries}
    assert got == {"ada": "ada/word2vec.py", "bob": "bob/hw/word2vec.py", "cy": "cy/anything.py",
                   "dee": "dee/word2vec.ipynb", "eve": "eve.py",
                   "12345": "smith_12345_67890_word2vec.py"}
    assert found.unrecognised == []


def test_everything_else_is_listed_with_a_reason(tmp_path):
    root = tmp_path / "class"
    write(root / "notes.txt")
    (root / "empty").mkdir()
    write(root / "two" / "a.py")
    write(root / "two" / "b.py")
    write(root / ".DS_Store")
    write(root / "ann.py")
    write(root / "ann" / "word2vec.py")   # a second submission for the same student
    found = discover(root, tmp_path / "unpacked")
    reasons = dict(found.unrecognised)
    assert set(reasons) == {"notes.txt", "empty", "two", ".DS_Store", "ann.py"}
    assert "no word2vec.py" in reasons["empty"] and "several" in reasons["two"]
    assert "second submission for student ann (graded ann/word2vec.py)" in reasons["ann.py"]
    assert [e.student for e in found.entries] == ["ann"]


def test_a_zip_of_the_class_and_zips_per_student(tmp_path):
    inner = zip_of(tmp_path / "smith_12345_67890_sub.zip", {"hw2/word2vec.py": "x = 1\n"})
    archive = tmp_path / "class.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("class/ada/word2vec.py", "x = 1\n")
        zf.writestr("class/bob.py", "x = 2\n")
        zf.writestr("class/smith_12345_67890_sub.zip", inner.read_bytes())
    found = discover(archive, tmp_path / "unpacked")
    assert found.unrecognised == []
    assert sorted(e.student for e in found.entries) == ["12345", "ada", "bob"]
    assert all(e.path.is_file() and (tmp_path / "unpacked") in e.path.parents for e in found.entries)


def test_unsafe_or_broken_zips_are_refused(tmp_path):
    root = tmp_path / "class"
    root.mkdir()
    zip_of(root / "evil.zip", {"../../escaped.py": "x = 1\n"})
    (root / "broken.zip").write_bytes(b"PK not really")
    found = discover(root, tmp_path / "unpacked")
    reasons = dict(found.unrecognised)
    assert "unsafe path" in reasons["evil.zip"] and "could not be unpacked" in reasons["broken.zip"]
    assert not (tmp_path / "escaped.py").exists() and not list(tmp_path.rglob("escaped.py"))


def test_digest_covers_a_folder_and_follows_changes(tmp_path):
    root = tmp_path / "class"
    write(root / "ada" / "word2vec.py")
    helper = write(root / "ada" / "utils" / "utils.py", "A = 1\n")
    first = discover(root, tmp_path / "u").entries[0].digest
    assert discover(root, tmp_path / "u").entries[0].digest == first
    helper.write_text("A = 2\n")
    assert discover(root, tmp_path / "u").entries[0].digest != first


def test_zips_whose_names_differ_only_by_case_unpack_to_folders_of_their_own(tmp_path):
    root = tmp_path / "class"
    root.mkdir()
    zip_of(root / "bob.ZIP", {"word2vec.py": "# bob.ZIP\n"})
    zip_of(root / "bob.zip", {"word2vec.py": "# bob.zip\n"})
    zip_of(root / "Ann.zip", {"word2vec.py": "# Ann.zip\n"})
    zip_of(root / "ann.zip", {"word2vec.py": "# ann.zip\n"})
    found = discover(root, tmp_path / "unpacked")
    # each entry grades the code of the archive it names (was: the last one unpacked)
    graded = {e.origin: e.path.read_text() for e in found.entries}
    assert graded == {"Ann.zip:word2vec.py": "# Ann.zip\n", "ann.zip:word2vec.py": "# ann.zip\n",
                      "bob.ZIP:word2vec.py": "# bob.ZIP\n"}
    assert len({e.root for e in found.entries}) == 3
    assert [origin for origin, _ in found.unrecognised] == ["bob.zip:word2vec.py"]
    folders = sorted(p.name for p in (tmp_path / "unpacked" / "students").iterdir())
    assert len(folders) == 4 and all(name.isascii() and name == name.lower() for name in folders)

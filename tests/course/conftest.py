"""A small course written into a temporary folder, to test loading and pages without the real content; a
learner logged in on the test client."""
from pathlib import Path

import pytest
from django.contrib.auth.models import User

SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10"/></svg>'


class CourseFolder:
    def __init__(self, root: Path):
        self.root = root

    def lesson(self, folder: str, *, order: int, exercises=("ex-" + "a",), en: str | None = None,
               zh: str | None = None, images=("stack.svg",)) -> Path:
        path = self.root / folder
        (path / "images").mkdir(parents=True)
        for image in images:
            (path / "images" / image).write_text(SVG)
        picture = f"![A stack of layers](images/{images[0]})\n\n" if images else ""
        (path / "meta.yaml").write_text(
            f"order: {order}\ntitle:\n  en: Lesson {order}\n  zh-hans: 第 {order} 课\n"
            f"summary:\n  en: About {folder}\n  zh-hans: 关于 {folder}\nexercises: [{', '.join(exercises)}]\n"
        )
        (path / "lesson.en.md").write_text(en if en is not None else f"## Start\n\n{picture}Some text.\n")
        (path / "lesson.zh.md").write_text(zh if zh is not None else f"## 开始\n\n{picture}一些文字。\n")
        for slug in exercises:
            self.exercise(path / "exercises" / slug)
        return path

    @staticmethod
    def exercise(folder: Path) -> None:
        slug = folder.name
        for tree in ("starter", "solution"):
            (folder / tree).mkdir(parents=True)
            (folder / tree / "Dockerfile").write_text("FROM layerlab/busybox\n")
        (folder / "exercise.yaml").write_text(
            f"title:\n  en: Exercise {slug}\n  zh-hans: 练习 {slug}\n"
            f"summary:\n  en: Do {slug}\n  zh-hans: 完成 {slug}\n"
            f"instructions:\n  en: Build **{slug}**.\n  zh-hans: 构建 **{slug}**。\n"
            "bases: [layerlab/busybox]\nchecks:\n  - id: builds\n    type: build\n"
        )


@pytest.fixture
def course_folder(tmp_path, settings) -> CourseFolder:
    root = tmp_path / "content"
    root.mkdir()
    settings.COURSE_CONTENT_DIR = root
    return CourseFolder(root)


@pytest.fixture
def ada(client):
    """A learner, logged in on `client`."""
    user = User.objects.create_user("ada", password="correct horse battery")
    client.force_login(user)
    return user

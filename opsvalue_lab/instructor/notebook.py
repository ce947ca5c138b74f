"""The instructor notebooks notebooks/instructor/{ja,en}.ipynb, written with nbformat.

Deterministic: stable cell ids, no outputs, no execution counts, no timestamps. Code cells are one
short hidden call each into opsvalue_lab.instructor.nbapi.
"""
from __future__ import annotations

import json
from pathlib import Path

import nbformat

HIDDEN = {"jupyter": {"source_hidden": True}, "tags": ["hide-input"]}
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}

INTRO = {
    "ja": ("# 講師用ノートブック：提出物のレビュー\n\n"
           "「運用の価値」とは何か (OpsLearn 運用設計 入門コース 第 2 回) の研修で、受講者の提出物を集め、"
           "課題ごとにクラス全体の回答を読み、事前 → 事後の変化を確認し、コメントを返します。\n\n"
           "> ▶ メニューの **Run → Run All Cells** (すべてのセルを実行) を選んでください。"
           "コースの保存先は環境変数 `OPSVALUE_COURSE`、なければこのノートブックの隣の `course` フォルダです。\n\n"
           "受講者の回答は信頼できない入力として扱い、画面やレポートでは常に文字として表示します。"),
    "en": ("# Instructor notebook: reviewing submissions\n\n"
           "For the course on the value of operations (OpsLearn ops design introductory course, lecture 2): "
           "collect the trainees' submissions, read every answer to one question side by side, see the class "
           "move from before to after, and send comments back.\n\n"
           "> ▶ Choose **Run → Run All Cells** from the menu. The course is stored in `$OPSVALUE_COURSE`, "
           "or else in the `course` folder next to this notebook.\n\n"
           "Trainees' answers are treated as untrusted input and are always shown as plain text."),
}
STEPS = {
    "ja": [("## 1. 提出物を取り込む\n\n提出ファイル (`*.opsvalue.json`)、それを入れたフォルダ、または zip の"
            "パスを入力して「取り込む」を押します (複数は `;` 区切り)。同じファイルを何度取り込んでも重複しません。"
            "レポートとフィードバックファイルはコースのフォルダに書き出されます。", "iv.collect_panel()"),
           ("## 2. 提出状況\n\n✓ は回答済み、✗ は未回答です。", "iv.completion()"),
           ("## 3. 課題ごとに読む\n\n課題を選ぶと、全員の回答が並びます。事前・事後で対になっている課題は"
            "左右に並べて表示します。各回答の下の欄にコメントを書くと、枠の外をクリックした時点で保存されます。",
            "iv.question_review()"),
           ("## 4. 受講者ごとに読む", "iv.trainee_review()"),
           ("## 5. クラス全体の変化\n\nサービス価値マトリクスとデリバリ価値チャートに、クラス全員の受講前 (○) と"
            "受講後 (■) を重ねます。画面を共有するときは「匿名表示」を押してください。", "iv.class_charts()")],
    "en": [("## 1. Collect submissions\n\nEnter the path of a submission file (`*.opsvalue.json`), a folder "
            "of them or a zip archive and press Collect (separate several with `;`). Collecting the same file "
            "again changes nothing. Reports and feedback files are written into the course folder.",
            "iv.collect_panel()"),
           ("## 2. Completion\n\n✓ means answered, ✗ means not answered.", "iv.completion()"),
           ("## 3. Read one question across the class\n\nPick a question to see every trainee's answer. "
            "Paired before/after questions are shown side by side. Write a comment under an answer; it is "
            "saved when you click outside the box.", "iv.question_review()"),
           ("## 4. Read one trainee", "iv.trainee_review()"),
           ("## 5. How the class moved\n\nThe whole class on the value matrix and the delivery chart, "
            "before (○) and after (■). Press Anonymise before sharing your screen.", "iv.class_charts()")],
}


def make_instructor_notebook(lang: str) -> nbformat.NotebookNode:
    v4 = nbformat.v4
    hidden = lambda: json.loads(json.dumps(HIDDEN))  # noqa: E731  (a fresh copy per cell)
    cells = [v4.new_markdown_cell(INTRO[lang], id="iv-intro"),
             v4.new_code_cell(f'import opsvalue_lab.instructor.nbapi as iv; iv.begin("{lang}", course="course")',
                              id="iv-begin", metadata=hidden())]
    for i, (md, code) in enumerate(STEPS[lang], 1):
        cells.append(v4.new_markdown_cell(md, id=f"iv-{i}-text"))
        cells.append(v4.new_code_cell(code, id=f"iv-{i}-code", metadata=hidden()))
    title = "講師用ノートブック" if lang == "ja" else "Instructor notebook"
    nb = v4.new_notebook(cells=cells, metadata={"kernelspec": dict(KERNELSPEC),
                                                "language_info": {"name": "python"}, "title": title})
    nb.nbformat, nb.nbformat_minor = 4, 5
    nbformat.validate(nb)
    return nb


def build_instructor_notebooks(out_dir: Path) -> list[Path]:
    """Write <out_dir>/ja.ipynb and <out_dir>/en.ipynb; returns their paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for lang in ("ja", "en"):
        text = nbformat.writes(make_instructor_notebook(lang), version=4)
        path = out / f"{lang}.ipynb"
        path.write_bytes((text if text.endswith("\n") else text + "\n").encode("utf-8"))
        written.append(path)
    return written

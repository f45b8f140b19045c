"""Word count: an uplock job in Python 3, standard library only (docs/jobs.md).

Reads the file at UPLOCK_INPUT, writes preview.json (free) and report.txt plus words.csv
(paid) into UPLOCK_OUTPUT, and prints `progress <0-100>` lines as it goes.
"""
import collections
import csv
import json
import os
import re
import sys

WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*", re.UNICODE)


def fail(message):
    """The customer sees this message; the order fails and nothing is charged."""
    with open(os.path.join(os.environ["UPLOCK_OUTPUT"], "error.json"), "w", encoding="utf-8") as f:
        json.dump({"message": message}, f)
    sys.exit(1)


def main():
    source = os.environ["UPLOCK_INPUT"]
    out = os.environ["UPLOCK_OUTPUT"]
    ja = os.environ.get("UPLOCK_LANG") == "ja"
    size = os.path.getsize(source)

    counts = collections.Counter()
    lines = characters = 0
    done = 0
    last = -1
    with open(source, "rb") as raw:
        for line_bytes in raw:
            done += len(line_bytes)
            try:
                line = line_bytes.decode("utf-8")
            except UnicodeDecodeError:
                fail("このファイルは UTF-8 のテキストではありません。" if ja else "This file is not UTF-8 text.")
            lines += 1
            characters += len(line)
            counts.update(word.lower() for word in WORD.findall(line))
            percent = done * 100 // max(size, 1)
            if percent >= last + 10:
                print(f"progress {percent}", flush=True)
                last = percent

    total = sum(counts.values())
    if total == 0:
        fail("このファイルには単語がありません。" if ja else "This file has no words in it.")
    top = counts.most_common()

    preview = {
        "title": "単語の出現頻度" if ja else "Word frequency",
        "facts": [
            {"label": "行数" if ja else "Lines", "value": lines},
            {"label": "単語数" if ja else "Words", "value": total},
            {"label": "異なる単語" if ja else "Distinct words", "value": len(counts)},
        ],
        # Free: the five most frequent words; the full list is the paid result.
        "table": {
            "columns": ["単語" if ja else "Word", "回数" if ja else "Count"],
            "rows": [[word, n] for word, n in top[:5]],
        },
    }
    with open(os.path.join(out, "preview.json"), "w", encoding="utf-8") as f:
        json.dump(preview, f, ensure_ascii=False)

    name = os.environ.get("UPLOCK_FILE_NAME", "")
    with open(os.path.join(out, "report.txt"), "w", encoding="utf-8") as f:
        f.write(f"Word count of {name}\n\n")
        f.write(f"Lines: {lines}\nCharacters: {characters}\nWords: {total}\nDistinct words: {len(counts)}\n\n")
        for word, n in top:
            f.write(f"{n:8d}  {word}\n")
    with open(os.path.join(out, "words.csv"), "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["word", "count"])
        writer.writerows(top)
    print("progress 100", flush=True)


if __name__ == "__main__":
    main()

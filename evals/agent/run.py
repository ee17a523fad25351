#!/usr/bin/env python3
"""End-to-end eval: each question in questions.toml asked with `picovis ask --json`, its final result
compared with the gold query's (run with `picovis query`). Prints one line per question and a summary.

    python3 evals/agent/run.py [--bin PATH] [--data-dir DIR] [--model NAME] [--only N]

The data directory must have the model registered (`picovis model pull` or `model add`); the demo
database is created there on first use.
"""
import argparse, datetime, json, pathlib, subprocess, sys, time, tomllib

HERE = pathlib.Path(__file__).resolve().parent


def quarter_bounds(today):
    start = datetime.date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
    previous = datetime.date(start.year - 1, 10, 1) if start.month == 1 else datetime.date(start.year, start.month - 3, 1)
    return previous, start


def normal(value):
    if isinstance(value, float):
        return round(value, 2)
    if isinstance(value, str):
        try:
            return round(float(value), 2)
        except ValueError:
            return value
    return value


def columns(rows):
    width = len(rows[0]) if rows else 0
    return [[normal(row[i]) for row in rows] for i in range(width)]


def matches(gold_rows, got_rows, ordered):
    if len(gold_rows) != len(got_rows):
        return False
    got = columns(got_rows)
    key = (lambda c: c) if ordered else (lambda c: sorted(c, key=repr))
    return all(any(key(g) == key(c) for c in got) for g in columns(gold_rows))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", default=str(pathlib.Path.home() / ".cache/picovis-target/debug/picovis"))
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--only", type=int)
    args = parser.parse_args()
    questions = tomllib.loads((HERE / "questions.toml").read_text())["question"]
    start, end = quarter_bounds(datetime.date.today())
    base = [args.bin, "--data-dir", args.data_dir]
    correct, seconds = 0, []
    for number, question in enumerate(questions, 1):
        if args.only and number != args.only:
            continue
        gold_sql = question["gold"].format(last_quarter_start=start, last_quarter_end=end)
        gold = json.loads(subprocess.run(base + ["query", "--format", "json", gold_sql], capture_output=True, check=True).stdout)
        began = time.monotonic()
        run = subprocess.run(base + ["ask", "--json", question["text"]], capture_output=True)
        took = time.monotonic() - began
        seconds.append(took)
        try:
            report = json.loads(run.stdout)
        except json.JSONDecodeError:
            report = {"rows": None, "sql": [], "answer": run.stderr.decode()[-200:]}
        got = (report.get("rows") or {}).get("rows") or []
        ok = report.get("rows") is not None and matches(gold["rows"], got, question.get("ordered", False))
        correct += ok
        sql = (report.get("sql") or [{}])[-1].get("sql", "")
        print(json.dumps({"n": number, "ok": ok, "seconds": round(took, 1), "question": question["text"],
                          "sql": sql, "answer": (report.get("answer") or "").strip()[:200]}), flush=True)
    asked = len(seconds)
    print(json.dumps({"correct": correct, "asked": asked, "median_seconds": round(sorted(seconds)[asked // 2], 1),
                      "total_seconds": round(sum(seconds), 1)}))


if __name__ == "__main__":
    sys.exit(main())

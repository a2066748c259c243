#!/usr/bin/env python3
"""examples/spark/check_capture.py run by Spark in local mode (local[2], pyspark from PyPI) over a capture of more
than 20,000 exchanges, against one `alipay-sign check --format json` run over the same capture: the merged summary
line must equal the single run's, and the merged per-exchange lines (renumbered in capture order) must equal the
single run's line for line, so the set of failing exchanges is the same.
The capture is the capture vectors (vectors/captures/capture.jsonl: 23 exchanges, valid and broken in known ways)
repeated 900 times, so that it splits into partitions at arbitrary exchanges.
Run by `make test-spark`:
    .venv-spark/bin/python Tests/Integration/spark_check.py .build/release/alipay-sign
Prints ok or FAIL per check and `N passed, N failed`; exit 1 when a check failed.
"""
import glob, json, os, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
binary = os.path.abspath(sys.argv[1])
copies = 900
results = []


def check(name, ok, detail=""):
    results.append(bool(ok))
    print(("ok   " if ok else "FAIL ") + name + ("" if ok else ": " + str(detail)[:500]), flush=True)


expected = json.load(open(os.path.join(ROOT, "vectors", "captures", "expected.json")))
keys = ["--app-public-key", os.path.join(ROOT, "vectors", expected["app_public_key"]),
        "--alipay-public-key", os.path.join(ROOT, "vectors", expected["alipay_public_key"])]
with open(os.path.join(ROOT, "vectors", "captures", "capture.jsonl"), "rb") as f:
    exchanges = [line for line in f.read().splitlines(keepends=True) if line.strip()]

with tempfile.TemporaryDirectory() as work:
    capture = os.path.join(work, "capture.jsonl")
    with open(capture, "wb") as f:
        for _ in range(copies):
            f.writelines(exchanges)
    total = copies * len(exchanges)

    start = time.time()
    single = subprocess.run([binary, "check", "--format", "json"] + keys + [capture], capture_output=True, text=True)
    print(f"single check run: {total} exchanges in {time.time() - start:.1f} s", flush=True)
    check("one check run reads the capture (exit 0 or 1)", single.returncode in (0, 1), single.stderr)
    lines = single.stdout.splitlines()
    single_summary, single_exchanges = lines[-1], lines[:-1]
    check(f"one check run reports {total} exchanges", len(single_exchanges) == total, len(single_exchanges))

    out = os.path.join(work, "out")
    env = dict(os.environ, PYSPARK_PYTHON=sys.executable, SPARK_LOCAL_IP="127.0.0.1")
    spark_submit = os.path.join(os.path.dirname(sys.executable), "spark-submit")
    start = time.time()
    spark = subprocess.run(
        [spark_submit, "--master", "local[2]", "--conf", "spark.ui.enabled=false",
         os.path.join(ROOT, "examples", "spark", "check_capture.py"), "file://" + capture,
         "--binary", binary, "--partitions", "4", "--out", "file://" + out, "--"] + keys,
        capture_output=True, text=True, env=env)
    print(f"Spark job (local[2], 4 partitions): {time.time() - start:.1f} s", flush=True)
    check("the Spark job exits as check does", spark.returncode == single.returncode,
          f"{spark.returncode} vs {single.returncode}: {spark.stderr[-2000:]}")
    merged_summary = spark.stdout.strip().splitlines()[-1] if spark.stdout.strip() else ""
    check("the merged summary equals the single run's", merged_summary == single_summary,
          f"\n  spark:  {merged_summary}\n  single: {single_summary}")

    merged = []
    for part in sorted(glob.glob(os.path.join(out, "part-*"))):
        with open(part, encoding="utf-8") as f:
            merged.extend(f.read().splitlines())
    merged.sort(key=lambda line: json.loads(line)["exchange"])
    check("the merged exchange lines equal the single run's, line for line", merged == single_exchanges,
          next(((i, a, b) for i, (a, b) in enumerate(zip(merged, single_exchanges)) if a != b), (len(merged), total)))
    failing = lambda ls: {json.loads(line)["exchange"] for line in ls if not json.loads(line)["ok"]}
    spark_failing, single_failing = failing(merged), failing(single_exchanges)
    check(f"the same failing exchanges ({len(single_failing)})", spark_failing == single_failing and single_failing,
          f"{len(spark_failing)} vs {len(single_failing)}")
    summary = json.loads(single_summary)
    check("the capture has valid and failing exchanges",
          0 < summary["exchanges_with_errors"] < summary["exchanges"], summary)

print(f"{sum(results)} passed, {len(results) - sum(results)} failed")
sys.exit(0 if all(results) else 1)

"""Conformance checks over a capture too big for one machine: `alipay-sign check` on every partition, merged.

The capture is JSON Lines (one exchange a line, the schema in the README). Spark splits it into partitions; each
partition's lines go through `alipay-sign check --format json -` with `rdd.pipe` (the static binary, shipped to the
executors); each run prints one line per exchange, numbered from 1 within its partition, then one summary line.
The driver turns the partition numbers into positions in the whole capture (from the partitions' summaries, so the
capture is read once) and adds the summaries up: the result is what one `check` run over the whole capture prints,
line for line.

    spark-submit examples/spark/check_capture.py CAPTURE [--binary PATH] [--out DIR] [--partitions N] \
        [-- CHECK OPTIONS...]

CAPTURE is any URI Spark reads (file://, hdfs://, s3a://, gs://). CHECK OPTIONS are passed to `check` as they are
(`--app-public-key app.pem --alipay-public-key alipay.pem`); their files must exist where the executors run (ship
them with `--files`). With --out, the per-exchange lines are written there (renumbered, in capture order, as text
part files); the merged summary line is printed on standard output either way. Exit 0 when no exchange has an error
finding, 1 when one has, 2 when a partition could not be checked.
"""
import argparse
import json
import re
import shlex
import sys

from pyspark.sql import SparkSession

EXCHANGE_NUMBER = re.compile(r'^\{"exchange":(\d+),')


def is_blank(line):
    # check skips lines of spaces, tabs and CRs without counting them; so must the numbering.
    return line.strip(" \t\r") == ""


def merge_summaries(summaries):
    """Adds up `check`'s summary lines: the fields of one summary over the union of the partitions."""
    total = {"summary": True, "exchanges": 0, "kinds": {}, "exchanges_with_errors": 0, "errors": 0, "warnings": 0}
    checks = {}
    for s in summaries:
        for field in ("exchanges", "exchanges_with_errors", "errors", "warnings"):
            total[field] += s[field]
        for kind, count in s["kinds"].items():
            total["kinds"][kind] = total["kinds"].get(kind, 0) + count
        for c in s["checks"]:
            key = (c["id"], c["severity"])
            checks[key] = checks.get(key, 0) + c["count"]
    total["kinds"] = dict(sorted(total["kinds"].items()))
    # check sorts its checks by "id|severity"
    total["checks"] = [{"id": i, "severity": sev, "count": n}
                       for (i, sev), n in sorted(checks.items(), key=lambda kv: kv[0][0] + "|" + kv[0][1])]
    return total


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("capture", help="the JSON Lines capture's URI")
    parser.add_argument("--binary", default="./alipay-sign",
                        help="the CLI's path on the executors (default ./alipay-sign, as shipped with --files)")
    parser.add_argument("--partitions", type=int, help="at least this many partitions (default: Spark's)")
    parser.add_argument("--out", help="a directory to write the merged per-exchange lines to")
    # Everything after "--" is check's.
    split = argv.index("--") if "--" in argv else len(argv)
    args = parser.parse_args(argv[:split])
    options = argv[split + 1:]

    spark = SparkSession.builder.appName("alipay-sign check").getOrCreate()
    sc = spark.sparkContext
    lines = sc.textFile(args.capture, minPartitions=args.partitions or sc.defaultParallelism)
    command = [args.binary, "check", "--format", "json"] + options + ["-"]
    # Exit status 1 (an exchange with an error) is a result, not a failure: the codes are not checked here, and a
    # partition that could not be checked (exit 2) is found by its missing summary line below.
    results = (lines.filter(lambda line: not is_blank(line))
                    .pipe(" ".join(shlex.quote(c) for c in command), checkCode=False)
                    .mapPartitionsWithIndex(lambda index, out: ((index, line) for line in out))
                    .persist())

    summaries = dict(results.filter(lambda t: t[1].startswith('{"summary":true'))
                            .map(lambda t: (t[0], json.loads(t[1]))).collect())
    partitions = results.getNumPartitions()
    missing = [p for p in range(partitions) if p not in summaries]
    if missing:
        print(f"check_capture: partitions {missing} were not checked (see the executors' logs)", file=sys.stderr)
        return 2
    first = {}
    position = 0
    for p in range(partitions):
        first[p] = position
        position += summaries[p]["exchanges"]
    total = merge_summaries(summaries[p] for p in range(partitions))

    if args.out:
        offsets = sc.broadcast(first)

        def renumber(t):
            index, line = t
            match = EXCHANGE_NUMBER.match(line)
            number = offsets.value[index] + int(match.group(1))
            return '{"exchange":%d,%s' % (number, line[match.end():])

        (results.filter(lambda t: t[1].startswith('{"exchange":'))
                .map(renumber)
                .saveAsTextFile(args.out))
    print(json.dumps(total, separators=(",", ":"), ensure_ascii=False))
    results.unpersist()
    spark.stop()
    return 1 if total["errors"] > 0 else 0


if __name__ == "__main__":
    try:
        status = main(sys.argv[1:])
    except Exception as error:  # a failed job is exit 2, never mistaken for "an exchange has an error" (1)
        print(f"check_capture: {type(error).__name__}: {error}", file=sys.stderr)
        status = 2
    sys.exit(status)

# Reads what the workers left behind in ~/queue; runs nothing of the learner's.
q="$LAB_HOME/queue"
if [ ! -d "$q/results" ]; then
  echo "FAIL: ~/queue/results exists | expected: a folder | actual: no such folder"
  echo "HINT: press Reset on the lab to recreate the queue"
  exit 1
fi
left=$(find "$q/jobs" -maxdepth 1 -type f -name '*.txt' 2>/dev/null | wc -l)
busy=$(find "$q/work" -maxdepth 1 -type f 2>/dev/null | wc -l)
fail=0
if [ "$left" -eq 0 ]; then
  echo "PASS: no job is left in ~/queue/jobs"
else
  echo "FAIL: no job is left in ~/queue/jobs | expected: 0 | actual: $left"
  echo "HINT: start the workers: for w in w1 w2 w3; do sh ~/queue/worker.sh \"\$w\" & done; wait"
  fail=1
fi
if [ "$busy" -eq 0 ]; then
  echo "PASS: no job is stuck in ~/queue/work"
else
  echo "FAIL: no job is stuck in ~/queue/work | expected: 0 | actual: $busy"
  echo "HINT: a claimed job stays in work/ if its worker died; this is what reliable queues watch for"
  fail=1
fi
python3 - "$q/results" <<'PY' || fail=1
import os, re, sys

res = sys.argv[1]
bad_lines, workers, missing = [], set(), []
for i in range(1, 21):
    name = "job-%02d.txt" % i
    want = (3 * i + 4) ** 2
    path = os.path.join(res, name)
    try:
        with open(path, "rb") as fh:
            text = fh.read(4096).decode("utf-8", "replace")
    except OSError:
        missing.append(name)
        continue
    parts = text.split()
    if len(parts) >= 2 and parts[0] == str(want):
        workers.add(parts[1][:32])
    else:
        bad_lines.append("%s: %s (want %d NAME)" % (name, re.sub(r"[|\r\n]+", " ", text.strip())[:40] or "empty", want))

fails = 0
if missing:
    print("FAIL: a result for each of the 20 jobs | expected: 20 files in ~/queue/results | actual: %d missing, e.g. %s" % (len(missing), missing[0]))
    fails += 1
else:
    print("PASS: a result for each of the 20 jobs")
if bad_lines:
    print("FAIL: each result is the square of the job's number, then the worker name | expected: like 49 w1 | actual: %s" % bad_lines[0])
    fails += 1
elif not missing:
    print("PASS: every result is correct")
if len(workers) >= 3:
    print("PASS: the work was shared by %d workers (%s)" % (len(workers), ", ".join(sorted(workers))))
else:
    print("FAIL: the work was shared by at least 3 workers | expected: 3 or more names | actual: %s" % (", ".join(sorted(workers)) or "none"))
    print("HINT: start the workers with & so they run at the same time, then wait")
    fails += 1
sys.exit(1 if fails else 0)
PY
exit "$fail"

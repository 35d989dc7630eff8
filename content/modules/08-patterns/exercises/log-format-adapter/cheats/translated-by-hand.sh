# The translation done once in the lab, not by a container next to the app.
python3 -c '
import json, sys
L = {"I": "info", "W": "warn", "E": "error", "D": "debug"}
for line in open(sys.argv[1]):
    t, l, m = line.rstrip("\n").split(";", 2)
    print(json.dumps({"time": t, "level": L[l], "msg": m}))
' ~/adapter/legacy.log > ~/adapter/app.jsonl

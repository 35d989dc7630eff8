# The answer is whatever really runs as PID 1 in this lab.
want=$(cat /proc/1/comm)
file="$LAB_HOME/pid1.txt"
if [ ! -f "$file" ]; then
  echo "FAIL: ~/pid1.txt exists | expected: a file | actual: no such file"
  exit 1
fi
echo "PASS: ~/pid1.txt exists"
got=$(head -n 1 "$file" | tr -d '[:space:]' | head -c 64)
if [ "$got" != "$want" ]; then
  echo "FAIL: it names PID 1 | expected: $want | actual: ${got:-(empty)}"
  echo "HINT: look at the line whose PID is 1 in the output of ps -e"
  exit 1
fi
echo "PASS: it names PID 1 ($want)"

# The archive must hold the volume's contents with relative paths, and the
# restored copy must match the source file for file.
src="$LAB_HOME/volumes/shop-uploads"
arc="$LAB_HOME/backups/shop-uploads.tar.gz"
dst="$LAB_HOME/restore/shop-uploads-copy"
if [ ! -d "$src" ]; then
  echo "FAIL: the prepared directory exists | expected: ~/volumes/shop-uploads | actual: missing (reset the lab to prepare it again)"
  exit 1
fi
if [ ! -f "$arc" ]; then
  echo "FAIL: ~/backups/shop-uploads.tar.gz exists | expected: a file | actual: no such file"
  exit 1
fi
echo "PASS: ~/backups/shop-uploads.tar.gz exists"
if ! gzip -t "$arc" 2>/dev/null; then
  echo "FAIL: the archive is gzip-compressed | expected: a .tar.gz (tar with z) | actual: not gzip data"
  echo "HINT: add z to the tar options: tar czf ..."
  exit 1
fi
members=$(tar -tzf "$arc" 2>/dev/null | head -n 500)
if [ -z "$members" ]; then
  echo "FAIL: the archive can be listed | expected: tar members | actual: empty or unreadable archive"
  exit 1
fi
echo "PASS: the archive is a gzipped tar"
status=0
bad=$(printf '%s\n' "$members" | grep -E '^/|(^|/)home/|(^|/)volumes/|(^|/)shop-uploads/' | head -n 3 | tr '\n' ' ')
if [ -n "$bad" ]; then
  echo "FAIL: paths in the archive are relative to the volume's root | expected: members like ./avatars/ana.png | actual: $bad"
  echo "HINT: change into the directory first with -C and archive '.'"
  status=1
else
  echo "PASS: paths in the archive are relative to the volume's root"
fi
# Every file of the source must be in the archive.
files=$(cd "$src" && find . -type f | sort)
missing=""
for f in $files; do
  n=${f#./}
  if ! printf '%s\n' "$members" | grep -qxF -e "$n" -e "./$n"; then
    missing="$missing $n"
  fi
done
if [ -n "$missing" ]; then
  echo "FAIL: the archive holds every file | expected: all files, hidden ones too | actual: missing$missing"
  echo "HINT: a shell glob like * skips hidden files; archive '.' instead"
  status=1
else
  echo "PASS: the archive holds every file, hidden ones included"
fi
if [ ! -d "$dst" ]; then
  echo "FAIL: ~/restore/shop-uploads-copy exists | expected: a directory with the restored files | actual: no such directory"
  exit 1
fi
wrong=""
for f in $files; do
  n=${f#./}
  if [ ! -f "$dst/$n" ]; then
    wrong="$wrong $n(missing)"
  elif ! cmp -s "$src/$n" "$dst/$n"; then
    wrong="$wrong $n(differs)"
  fi
done
if [ -n "$wrong" ]; then
  echo "FAIL: the restored copy matches the source | expected: every file at the same relative path | actual:$wrong"
  echo "HINT: extract with tar xzf ARCHIVE -C ~/restore/shop-uploads-copy"
  status=1
else
  echo "PASS: ~/restore/shop-uploads-copy matches the source file for file"
fi
exit "$status"

# Every container named in the log marked as exited, without replaying it.
sed -n 's/.*container create .*name=\([^,)]*\).*/\1=exited/p' ~/events.log | sort -u > ~/states.txt

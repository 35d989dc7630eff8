# Every exited container listed as a failure, exit code 0 included.
grep 'Exited (' ~/ps-a.txt | awk '{print $NF}' > ~/exited.txt
cp ~/exited.txt ~/nonzero.txt

# Half the job: the memory, not the restart policy.
docker update --memory 128m --memory-swap 256m edge

# The file written by the main command instead of with docker exec.
docker run -d --name greeter busybox:1.37 sh -c 'echo hello from greeter; echo exec was here > /visited.txt; exec sleep 3600'

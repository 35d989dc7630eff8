ps -p 1 -o comm= > ~/pid1.txt

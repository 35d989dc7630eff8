# "Containers are stateless": every service marked the same.
sed -i 's/^\(    description: .*\)$/\1\n    state: stateless/' ~/bookshop/services.yaml

# In a lab made ahead for the warm pool: the images this module runs and
# builds from, pulled before the learner arrives.
prefetch python:3.13-slim golang:1.24 busybox:1.37 registry:2 nginx:1.26

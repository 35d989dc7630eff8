# In a lab made ahead for the warm pool: busybox, pulled before the
# learner arrives, so their first `docker run` starts at once.
prefetch busybox:1.37

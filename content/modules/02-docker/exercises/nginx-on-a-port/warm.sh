# In a lab made ahead for the warm pool: nginx, pulled before the
# learner arrives, so their `docker run` starts it at once.
prefetch nginx:1.26

# In a lab made ahead for the warm pool: the images this module runs and
# builds from, pulled before the learner arrives.
prefetch busybox:1.37

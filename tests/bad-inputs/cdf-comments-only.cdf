# a comment
# and another: no point

include: good
x: 1

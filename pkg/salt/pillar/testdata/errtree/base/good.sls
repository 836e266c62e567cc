good: {secret: s3cret}

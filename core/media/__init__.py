"""Photo files: decoding and re-encoding them (`images`), where they are kept (`storage`, `s3`,
chosen by `backends`), and the files one mutation writes or removes (`files`)."""

"""Process files uploaded in a multipart request (the library page and the JSON API): every
file of the request, each read up to one byte past the size limit so a larger one is refused
without being read whole."""
from __future__ import annotations

import dataclasses

from flask import request

#: At most this many files in one upload; the whole body may be twice the limit for one file
#: (process files are small) plus room for the multipart framing.
FILES_MAX, OVERHEAD = 20, 64 * 1024


@dataclasses.dataclass
class ProcessFiles:
    files: dict[str, bytes]       # name -> content of those within the limit
    too_large: list[str]          # names of files over the limit
    too_many: bool                # more than FILES_MAX files were sent (the rest not read)


def read_process_files(limit: int) -> ProcessFiles:
    """The request's uploaded files (any field name). Call before anything reads the body:
    a body over twice `limit` is refused with 413 before it is read."""
    request.max_content_length = 2 * limit + OVERHEAD
    uploads = [f for _field, f in request.files.items(multi=True) if f.filename]
    files, too_large = {}, []
    for upload in uploads[:FILES_MAX]:
        data = upload.stream.read(limit + 1)
        if len(data) > limit:
            too_large.append(upload.filename)
        else:
            files[upload.filename] = data
    return ProcessFiles(files, too_large, len(uploads) > FILES_MAX)
